-- Connector ID: the 24-bit user and machine numbers the hub issues, the fingerprints machine
-- numbers are bound to, and the site secrets that machine tag keys are derived from.

-- A user number per fully-qualified account (user@DOMAIN or user@host). Kept after the
-- account stops appearing, so old reports still resolve; only an administrator reclaims one.
CREATE TABLE connector_user_numbers (
  number integer PRIMARY KEY CHECK (number BETWEEN 1 AND 16777215),
  account text NOT NULL UNIQUE,
  issued_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now()
);

-- A machine number per machine, bound to the latest fingerprint its agent reported.
CREATE TABLE connector_machine_numbers (
  number integer PRIMARY KEY CHECK (number BETWEEN 1 AND 16777215),
  -- Element name -> hash (or list of hashes), as the agent reported it last.
  fingerprint jsonb NOT NULL,
  -- The agent that claimed the number last; its revocation revokes the number's tags too.
  agent_id uuid REFERENCES components (id),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
  issued_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now()
);

-- Every element hash of every machine number, so a new fingerprint finds its candidates with
-- an index look-up instead of a scan of all machines.
CREATE TABLE connector_fingerprint_elements (
  machine_number integer NOT NULL REFERENCES connector_machine_numbers (number)
    ON DELETE CASCADE,
  element text NOT NULL,
  hash text NOT NULL,
  PRIMARY KEY (machine_number, element, hash)
);
CREATE INDEX connector_fingerprint_elements_hash ON connector_fingerprint_elements (hash);

-- Site secrets by key id (0-15); machine tag keys are derived from them. Collectors get them
-- in their policy, agents get only their own machine's key.
CREATE TABLE connector_site_secrets (
  key_id smallint PRIMARY KEY CHECK (key_id BETWEEN 0 AND 15),
  secret bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
