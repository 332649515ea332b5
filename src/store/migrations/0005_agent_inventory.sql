-- What the agent reports beyond the sample: the machine's hardware and installed software,
-- logon session lengths and phases, administrator rights, disk bytes per process, and use
-- grouped per user and per application.

-- The latest hardware facts of each machine; they change rarely and history is not kept.
CREATE TABLE machine_hardware (
  machine_id uuid PRIMARY KEY REFERENCES machines (id),
  sampled_at timestamptz NOT NULL,
  manufacturer text NOT NULL,
  model text NOT NULL,
  serial text NOT NULL,
  bios_date date,
  bios_age_days integer,
  is_virtual boolean,
  hypervisor text NOT NULL,
  container text NOT NULL,
  graphics jsonb NOT NULL,
  network_cards jsonb NOT NULL
);

-- The latest software summary of each machine. `packages_sampled_at` says when the package
-- list below was last replaced; callbacks carry the list only when its hash changed.
CREATE TABLE machine_software (
  machine_id uuid PRIMARY KEY REFERENCES machines (id),
  sampled_at timestamptz NOT NULL,
  source text NOT NULL,
  patch_level text NOT NULL,
  package_count integer NOT NULL,
  packages_hash text NOT NULL,
  packages_sampled_at timestamptz
);

CREATE TABLE machine_packages (
  machine_id uuid NOT NULL REFERENCES machines (id),
  name text NOT NULL,
  architecture text NOT NULL,
  version text NOT NULL,
  installed_at timestamptz,
  PRIMARY KEY (machine_id, name, architecture, version)
);
CREATE INDEX machine_packages_name ON machine_packages (name);

ALTER TABLE logon_events ADD COLUMN session_millis bigint;
ALTER TABLE logon_events ADD COLUMN phases jsonb;

ALTER TABLE machine_users ADD COLUMN is_administrator boolean;

ALTER TABLE process_samples ADD COLUMN disk_read_bytes bigint;
ALTER TABLE process_samples ADD COLUMN disk_write_bytes bigint;

-- Use per user (kind 'user', key an account) and per application (kind 'application', key an
-- executable's name) at each sample, over every process on the machine.
CREATE TABLE usage_samples (
  machine_id uuid NOT NULL,
  sampled_at timestamptz NOT NULL,
  callback_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('user', 'application')),
  key text NOT NULL,
  process_count integer NOT NULL,
  cpu_percent real NOT NULL,
  memory_rss_bytes bigint NOT NULL,
  disk_read_bytes bigint NOT NULL,
  disk_write_bytes bigint NOT NULL
);
CREATE INDEX usage_samples_machine_time ON usage_samples (machine_id, sampled_at);
