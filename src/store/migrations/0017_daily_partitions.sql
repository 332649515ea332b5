-- Time series partitioned by day (UTC), so retention drops whole days instead of deleting row
-- by row; and the table of scheduled jobs that the hubs share.
--
-- Each series is converted in place: the old table is renamed `<name>_default` and becomes the
-- DEFAULT partition of a new partitioned table of the old name, keeping every row it held, so
-- intake and every query go on unchanged. The partition maintainer (a scheduled job of the
-- hub) creates day partitions ahead, named `<name>_pYYYYMMDD`, and moves rows out of the
-- DEFAULT partition into their day's partition: rows stored before this migration, rows from
-- an agent's offline spool older than any partition, rows from a clock far off.
--
-- The partition key must be part of every unique key. `callbacks` (the ledger that makes a
-- second delivery of a callback a no-op) is keyed by (callback_id, sampled_at, machine_id): a
-- re-sent callback carries the same sampled_at and comes from the same agent, hence machine,
-- so it still meets its first copy's key. machine_id is there for Citus, where every unique
-- key must hold the distribution column.
--
-- No time series has a foreign key to another time series (machine_samples and
-- process_samples lost theirs in 0002): on Citus such keys would cross shards. `callbacks`
-- keeps its keys to the dimension tables machines and components, moved to the new table.

ALTER TABLE callbacks RENAME TO callbacks_default;
ALTER TABLE callbacks_default DROP CONSTRAINT callbacks_pkey;
ALTER TABLE callbacks_default DROP CONSTRAINT callbacks_machine_id_fkey;
ALTER TABLE callbacks_default DROP CONSTRAINT callbacks_component_id_fkey;
ALTER TABLE callbacks_default DROP CONSTRAINT callbacks_collector_id_fkey;
CREATE TABLE callbacks (LIKE callbacks_default INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
  PARTITION BY RANGE (sampled_at);
ALTER TABLE callbacks ADD PRIMARY KEY (callback_id, sampled_at, machine_id);
ALTER TABLE callbacks ADD FOREIGN KEY (machine_id) REFERENCES machines (id);
ALTER TABLE callbacks ADD FOREIGN KEY (component_id) REFERENCES components (id);
ALTER TABLE callbacks ADD FOREIGN KEY (collector_id) REFERENCES components (id);
ALTER TABLE callbacks ATTACH PARTITION callbacks_default DEFAULT;

ALTER TABLE machine_samples RENAME TO machine_samples_default;
ALTER INDEX machine_samples_pkey RENAME TO machine_samples_default_pkey;
CREATE TABLE machine_samples (LIKE machine_samples_default INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
  PARTITION BY RANGE (sampled_at);
ALTER TABLE machine_samples ADD PRIMARY KEY (machine_id, sampled_at, callback_id);
ALTER TABLE machine_samples ATTACH PARTITION machine_samples_default DEFAULT;

ALTER TABLE process_samples RENAME TO process_samples_default;
ALTER INDEX process_samples_machine_time RENAME TO process_samples_default_machine_time;
CREATE TABLE process_samples (LIKE process_samples_default INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
  PARTITION BY RANGE (sampled_at);
CREATE INDEX process_samples_machine_time ON process_samples (machine_id, sampled_at);
ALTER TABLE process_samples ATTACH PARTITION process_samples_default DEFAULT;

ALTER TABLE connection_samples RENAME TO connection_samples_default;
ALTER INDEX connection_samples_machine_time RENAME TO connection_samples_default_machine_time;
CREATE TABLE connection_samples
  (LIKE connection_samples_default INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
  PARTITION BY RANGE (sampled_at);
CREATE INDEX connection_samples_machine_time ON connection_samples (machine_id, sampled_at);
ALTER TABLE connection_samples ATTACH PARTITION connection_samples_default DEFAULT;

ALTER TABLE logon_events RENAME TO logon_events_default;
ALTER INDEX logon_events_machine_time RENAME TO logon_events_default_machine_time;
CREATE TABLE logon_events (LIKE logon_events_default INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
  PARTITION BY RANGE (at);
CREATE INDEX logon_events_machine_time ON logon_events (machine_id, at);
ALTER TABLE logon_events ATTACH PARTITION logon_events_default DEFAULT;

ALTER TABLE application_events RENAME TO application_events_default;
ALTER INDEX application_events_machine_time RENAME TO application_events_default_machine_time;
CREATE TABLE application_events
  (LIKE application_events_default INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
  PARTITION BY RANGE (at);
CREATE INDEX application_events_machine_time ON application_events (machine_id, at);
ALTER TABLE application_events ATTACH PARTITION application_events_default DEFAULT;

ALTER TABLE usage_samples RENAME TO usage_samples_default;
ALTER INDEX usage_samples_machine_time RENAME TO usage_samples_default_machine_time;
CREATE TABLE usage_samples (LIKE usage_samples_default INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
  PARTITION BY RANGE (sampled_at);
CREATE INDEX usage_samples_machine_time ON usage_samples (machine_id, sampled_at);
ALTER TABLE usage_samples ATTACH PARTITION usage_samples_default DEFAULT;

ALTER TABLE display_session_samples RENAME TO display_session_samples_default;
ALTER INDEX display_session_samples_machine_time
  RENAME TO display_session_samples_default_machine_time;
CREATE TABLE display_session_samples
  (LIKE display_session_samples_default INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
  PARTITION BY RANGE (sampled_at);
CREATE INDEX display_session_samples_machine_time
  ON display_session_samples (machine_id, sampled_at);
ALTER TABLE display_session_samples ATTACH PARTITION display_session_samples_default DEFAULT;

ALTER TABLE gpu_samples RENAME TO gpu_samples_default;
ALTER INDEX gpu_samples_machine_time RENAME TO gpu_samples_default_machine_time;
CREATE TABLE gpu_samples (LIKE gpu_samples_default INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
  PARTITION BY RANGE (sampled_at);
CREATE INDEX gpu_samples_machine_time ON gpu_samples (machine_id, sampled_at);
ALTER TABLE gpu_samples ATTACH PARTITION gpu_samples_default DEFAULT;

ALTER TABLE machine_series_points RENAME TO machine_series_points_default;
ALTER INDEX machine_series_points_machine_time RENAME TO machine_series_points_default_machine_time;
CREATE TABLE machine_series_points
  (LIKE machine_series_points_default INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
  PARTITION BY RANGE (sampled_at);
CREATE INDEX machine_series_points_machine_time ON machine_series_points (machine_id, sampled_at);
ALTER TABLE machine_series_points ATTACH PARTITION machine_series_points_default DEFAULT;

ALTER TABLE browser_site_samples RENAME TO browser_site_samples_default;
ALTER INDEX browser_site_samples_machine_time RENAME TO browser_site_samples_default_machine_time;
ALTER INDEX browser_site_samples_site RENAME TO browser_site_samples_default_site;
CREATE TABLE browser_site_samples
  (LIKE browser_site_samples_default INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
  PARTITION BY RANGE (sampled_at);
CREATE INDEX browser_site_samples_machine_time ON browser_site_samples (machine_id, sampled_at);
CREATE INDEX browser_site_samples_site ON browser_site_samples (site, sampled_at);
ALTER TABLE browser_site_samples ATTACH PARTITION browser_site_samples_default DEFAULT;

ALTER TABLE network_flows RENAME TO network_flows_default;
ALTER INDEX network_flows_time RENAME TO network_flows_default_time;
ALTER INDEX network_flows_machine_time RENAME TO network_flows_default_machine_time;
ALTER INDEX network_flows_user_time RENAME TO network_flows_default_user_time;
CREATE TABLE network_flows (LIKE network_flows_default INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
  PARTITION BY RANGE (interval_start);
CREATE INDEX network_flows_time ON network_flows (interval_start);
CREATE INDEX network_flows_machine_time ON network_flows (machine_id, interval_start);
CREATE INDEX network_flows_user_time ON network_flows (user_id, interval_start);
ALTER TABLE network_flows ATTACH PARTITION network_flows_default DEFAULT;

-- network_flow_batches stays one table: its intake relies on ON CONFLICT (batch_id), and it
-- holds one row a minute per collector. Retention deletes its old rows by received_at.
CREATE INDEX network_flow_batches_received ON network_flow_batches (received_at);

-- Scheduled jobs shared by every hub on this store. A hub claims a run by taking the lease
-- (lease_owner, lease_expires_at) while holding a transaction lock; the run itself happens
-- outside that transaction, and the lease keeps other hubs off it until it ends or expires.
CREATE TABLE scheduled_jobs (
  name text PRIMARY KEY,
  interval_millis bigint NOT NULL,
  next_due_at timestamptz NOT NULL,
  lease_owner text,
  lease_expires_at timestamptz,
  last_started_at timestamptz,
  last_finished_at timestamptz,
  last_duration_millis bigint,
  last_outcome text CHECK (last_outcome IN ('ok', 'failed')),
  -- What the last run did (ok) or the error it ended with (failed).
  last_result jsonb,
  last_error text,
  last_error_at timestamptz,
  runs bigint NOT NULL DEFAULT 0,
  failures bigint NOT NULL DEFAULT 0
);
