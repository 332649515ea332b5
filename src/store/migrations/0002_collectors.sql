-- Callback collectors: their settings and latest report, which collector took each callback,
-- and the activity lists a callback may carry beside its sample (connections, logons,
-- application events).

-- One row per activated collector, next to its row in components.
CREATE TABLE collectors (
  component_id uuid PRIMARY KEY REFERENCES components (id),
  -- Where agents reach its callback intake; set by the collector's own reports.
  intake_url text,
  roles text NOT NULL DEFAULT '',
  software_version text NOT NULL DEFAULT '',
  -- Settings pushed from the hub; the version moves on every change.
  config jsonb NOT NULL DEFAULT '{}',
  config_version integer NOT NULL DEFAULT 1,
  applied_config_version integer,
  -- The latest report: queue depth and age, intake and drain rates, counts by reason.
  reported_at timestamptz,
  report jsonb NOT NULL DEFAULT '{}'
);

-- Null for callbacks the hub took directly.
ALTER TABLE callbacks ADD COLUMN collector_id uuid REFERENCES components (id);

-- Time series carry no foreign keys: a key is a trigger fired for every row, which made
-- COPY into process_samples several times slower, and time series are written by intake
-- alone, a whole callback in one transaction. `callbacks` keeps its keys and ties them up.
ALTER TABLE machine_samples DROP CONSTRAINT machine_samples_machine_id_fkey;
ALTER TABLE machine_samples DROP CONSTRAINT machine_samples_callback_id_fkey;
ALTER TABLE process_samples DROP CONSTRAINT process_samples_machine_id_fkey;
ALTER TABLE process_samples DROP CONSTRAINT process_samples_callback_id_fkey;

CREATE TABLE connection_samples (
  machine_id uuid NOT NULL,
  sampled_at timestamptz NOT NULL,
  callback_id uuid NOT NULL,
  protocol text NOT NULL,
  local_address text NOT NULL,
  local_port integer NOT NULL,
  remote_address text NOT NULL,
  remote_port integer NOT NULL,
  state text NOT NULL,
  pid integer,
  account text NOT NULL
);
CREATE INDEX connection_samples_machine_time ON connection_samples (machine_id, sampled_at);

CREATE TABLE logon_events (
  machine_id uuid NOT NULL,
  callback_id uuid NOT NULL,
  at timestamptz NOT NULL,
  account text NOT NULL,
  event text NOT NULL CHECK (event IN ('logon', 'logoff')),
  terminal text NOT NULL,
  from_address text NOT NULL,
  duration_millis integer
);
CREATE INDEX logon_events_machine_time ON logon_events (machine_id, at);

CREATE TABLE application_events (
  machine_id uuid NOT NULL,
  callback_id uuid NOT NULL,
  at timestamptz NOT NULL,
  event text NOT NULL CHECK (event IN ('started', 'loaded', 'not_responding', 'exited')),
  application text NOT NULL,
  pid integer,
  account text NOT NULL,
  duration_millis integer
);
CREATE INDEX application_events_machine_time ON application_events (machine_id, at);
