-- GPU use at each sample: one row per device (kind 'device', key its PCI address) and one per
-- process and device (kind 'process', key the device, with pid and application).
CREATE TABLE gpu_samples (
  machine_id uuid NOT NULL,
  sampled_at timestamptz NOT NULL,
  callback_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('device', 'process')),
  device text NOT NULL,
  name text NOT NULL,
  pid integer,
  busy_percent real,
  memory_bytes bigint,
  memory_total_bytes bigint
);
CREATE INDEX gpu_samples_machine_time ON gpu_samples (machine_id, sampled_at);
