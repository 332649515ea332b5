-- Roll-ups: the detail summarised per local day, ISO week (from Monday), month and year of the
-- site's time zone, per machine, user (account), application (executable name) and group.
-- Each row keeps count, sum, min and max of one metric exactly, and a mergeable histogram of
-- its values (see src/hub/rollups/rollup-histogram.ts) from which the 95th percentile is read.
-- Weeks and months are built from days, years from months, never from the detail again.

CREATE TABLE rollups (
  level text NOT NULL CHECK (level IN ('day', 'week', 'month', 'year')),
  -- The local date the period starts on (a Monday for weeks, the 1st for months).
  period_start date NOT NULL,
  dimension text NOT NULL CHECK (dimension IN ('machine', 'user', 'application', 'group')),
  -- A machine id, an account, an executable's name or a group id.
  key text NOT NULL,
  metric text NOT NULL,
  count bigint NOT NULL,
  sum double precision NOT NULL,
  min double precision NOT NULL,
  max double precision NOT NULL,
  -- The histogram, sparse: bucket numbers in ascending order and the count in each.
  buckets integer[] NOT NULL,
  bucket_counts bigint[] NOT NULL,
  PRIMARY KEY (level, dimension, metric, period_start, key)
);
CREATE INDEX rollups_key ON rollups (dimension, key, level, period_start);
CREATE INDEX rollups_period ON rollups (level, period_start);

-- The experience score of each machine, user and application per period, computed from its
-- roll-ups when they are built (src/hub/rollups/experience-score.ts states the formula).
CREATE TABLE rollup_scores (
  level text NOT NULL,
  period_start date NOT NULL,
  dimension text NOT NULL,
  key text NOT NULL,
  score double precision NOT NULL,
  -- The value each input had (p95, or a rate per day), by input name.
  inputs jsonb NOT NULL,
  PRIMARY KEY (level, dimension, period_start, key)
);
CREATE INDEX rollup_scores_rank ON rollup_scores (level, dimension, period_start, score);

-- Hours (UTC) in which detail rows were stored since roll-ups last looked. Intake transactions
-- append here through the triggers below, without a unique key, so concurrent writers never
-- wait on one another; the roll-up run takes the rows out and marks the periods dirty.
CREATE TABLE rollup_changes (hour timestamptz NOT NULL);

-- Periods whose roll-ups must be (re)built: new or late detail arrived, or a level below
-- was rebuilt. A period is built once it has closed.
CREATE TABLE rollup_dirty (
  level text NOT NULL,
  period_start date NOT NULL,
  PRIMARY KEY (level, period_start)
);

-- Per level, the local date before which every period has closed and been built: the
-- watermark catch-up after downtime starts from.
CREATE TABLE rollup_watermarks (
  level text PRIMARY KEY,
  closed_before date NOT NULL,
  time_zone text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION rollup_note_sampled() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rollup_changes (hour) SELECT DISTINCT date_trunc('hour', sampled_at) FROM new_rows;
  RETURN NULL;
END $$;

CREATE FUNCTION rollup_note_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rollup_changes (hour) SELECT DISTINCT date_trunc('hour', at) FROM new_rows;
  RETURN NULL;
END $$;

CREATE FUNCTION rollup_note_flows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rollup_changes (hour)
    SELECT DISTINCT date_trunc('hour', interval_start) FROM new_rows;
  RETURN NULL;
END $$;

-- One statement-level trigger per table: one small insert per intake transaction, not per row.
-- Process samples share the sampled_at of their callback, so the callbacks' trigger covers them.
-- A later migration that replaces one of these tables (day partitions, say) must create its
-- trigger again, or detail stored there stops marking periods for roll-up.
CREATE TRIGGER callbacks_rollup_changes AFTER INSERT ON callbacks
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_note_sampled();
CREATE TRIGGER machine_series_points_rollup_changes AFTER INSERT ON machine_series_points
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_note_sampled();
CREATE TRIGGER logon_events_rollup_changes AFTER INSERT ON logon_events
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_note_events();
CREATE TRIGGER application_events_rollup_changes AFTER INSERT ON application_events
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_note_events();
CREATE TRIGGER network_flows_rollup_changes AFTER INSERT ON network_flows
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_note_flows();

-- Detail stored before roll-ups existed is rolled up by the first run.
INSERT INTO rollup_changes (hour) SELECT DISTINCT date_trunc('hour', sampled_at) FROM callbacks;
INSERT INTO rollup_changes (hour)
  SELECT DISTINCT date_trunc('hour', interval_start) FROM network_flows;

-- A user's logons, by account, for the dashboard.
CREATE INDEX logon_events_account_time ON logon_events (account, at);

-- The value at quantile q (0..1, nearest rank) of a roll-up histogram: the representative of
-- the bucket holding it. Must match rollup-histogram.ts (first bucket above 0 starts at 0.01,
-- growth 1.02/0.98 per bucket; bucket 0 holds values below 0.01 and reads as 0).
CREATE FUNCTION rollup_quantile(buckets integer[], bucket_counts bigint[], q double precision)
RETURNS double precision LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN b = 0 THEN 0
    ELSE 0.01 * power(1.02 / 0.98, b) * 2 / (1.02 / 0.98 + 1) END
  FROM (
    SELECT b, sum(c) OVER (ORDER BY b) AS running, sum(c) OVER () AS total
    FROM unnest(buckets, bucket_counts) AS u (b, c)
  ) cells
  WHERE running >= greatest(1, ceil(q * total))
  ORDER BY b
  LIMIT 1
$$;
