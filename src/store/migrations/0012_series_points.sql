-- The machine's figures sampled every sampling interval between callbacks (the callback's
-- sample series), one row per point.
CREATE TABLE machine_series_points (
  machine_id uuid NOT NULL,
  sampled_at timestamptz NOT NULL,
  callback_id uuid NOT NULL,
  cpu_percent real,
  cpu_queue_per_core real,
  memory_used_bytes bigint,
  major_faults_per_second real,
  disk_latency_millis real,
  disk_iops real,
  disk_busy_percent real
);
CREATE INDEX machine_series_points_machine_time ON machine_series_points (machine_id, sampled_at);
