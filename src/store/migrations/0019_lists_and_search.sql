-- Search over names: a small dictionary of the applications and processes agents reported,
-- kept by intake, so a search never reads the time series. Machines and users are searched
-- in their own tables. Where the server has pg_trgm (the embedded store loads it), trigram
-- indexes make a search for part of a name an index look-up; without it a search reads the
-- dictionary and those tables whole, which stays small next to the time series.

DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'pg_trgm is not available: name search reads whole tables';
END;
$$;

-- One row per name and kind: when it was first and last reported (last_seen is exact to
-- about two hours, so intake rewrites a row at most hourly), on how many machines.
CREATE TABLE known_names (
  kind text NOT NULL CHECK (kind IN ('application', 'process')),
  name text NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  machine_count integer NOT NULL,
  PRIMARY KEY (kind, name)
);

-- Which machines reported each name: what machine_count counts.
CREATE TABLE known_name_machines (
  kind text NOT NULL,
  name text NOT NULL,
  machine_id uuid NOT NULL,
  PRIMARY KEY (kind, name, machine_id)
);

-- The names already stored, read once here.
INSERT INTO known_name_machines (kind, name, machine_id)
SELECT DISTINCT 'process', name, machine_id FROM process_samples
UNION
SELECT DISTINCT 'application', application, machine_id FROM application_events
UNION
SELECT DISTINCT 'application', key, machine_id FROM usage_samples WHERE kind = 'application';

INSERT INTO known_names (kind, name, first_seen, last_seen, machine_count)
SELECT n.kind, n.name, min(n.first_seen), max(n.last_seen),
  (SELECT count(*) FROM known_name_machines k WHERE k.kind = n.kind AND k.name = n.name)
FROM (
  SELECT 'process' AS kind, name, min(sampled_at) AS first_seen, max(sampled_at) AS last_seen
  FROM process_samples GROUP BY name
  UNION ALL
  SELECT 'application', application, min(at), max(at) FROM application_events GROUP BY application
  UNION ALL
  SELECT 'application', key, min(sampled_at), max(sampled_at)
  FROM usage_samples WHERE kind = 'application' GROUP BY key
) n
GROUP BY n.kind, n.name;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    CREATE INDEX IF NOT EXISTS known_names_trigrams ON known_names USING gin (name gin_trgm_ops);
    CREATE INDEX IF NOT EXISTS machines_hostname_trigrams ON machines USING gin (hostname gin_trgm_ops);
    CREATE INDEX IF NOT EXISTS machines_fqdn_trigrams ON machines USING gin (fqdn gin_trgm_ops);
    CREATE INDEX IF NOT EXISTS users_account_trigrams ON users USING gin (account gin_trgm_ops);
  END IF;
END;
$$;
