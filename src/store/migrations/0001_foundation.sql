-- The foundation: people and programs who use the hub, activated components, machines,
-- their users, and the first time series (machine and process samples).

CREATE TABLE hub_settings (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- People who sign in to the web UI.
CREATE TABLE people (
  id uuid PRIMARY KEY,
  name text NOT NULL UNIQUE,
  role text NOT NULL CHECK (role IN ('administrator', 'operator', 'viewer')),
  password_hash text NOT NULL,
  must_change_password boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  password_changed_at timestamptz
);

-- Browser sessions; only a hash of the cookie value is kept.
CREATE TABLE web_sessions (
  id_hash text PRIMARY KEY,
  person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);

-- Tokens for programs calling the API; only a hash of the token is kept.
CREATE TABLE api_tokens (
  id uuid PRIMARY KEY,
  token_hash text NOT NULL UNIQUE,
  role text NOT NULL CHECK (role IN ('administrator', 'operator', 'viewer')),
  label text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  revoked_at timestamptz,
  last_used_at timestamptz
);

-- Tokens an administrator issues so agents and collectors can activate.
CREATE TABLE activation_tokens (
  id uuid PRIMARY KEY,
  secret_hash text NOT NULL UNIQUE,
  component_kind text NOT NULL CHECK (component_kind IN ('agent', 'collector', 'any')),
  uses_left integer NOT NULL CHECK (uses_left >= 0),
  expires_at timestamptz NOT NULL,
  label text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);

-- Agents, collectors and the hub itself, each with its own key pair and certificate.
CREATE TABLE components (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('hub', 'agent', 'collector')),
  name text NOT NULL,
  public_key_pem text NOT NULL,
  certificate_pem text NOT NULL,
  certificate_serial text NOT NULL UNIQUE,
  certificate_not_after timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
  activation_token_id uuid REFERENCES activation_tokens (id),
  activated_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  last_seen_at timestamptz
);

CREATE TABLE machines (
  id uuid PRIMARY KEY,
  agent_id uuid UNIQUE REFERENCES components (id),
  hostname text NOT NULL,
  fqdn text NOT NULL,
  os text NOT NULL DEFAULT '',
  kernel text NOT NULL DEFAULT '',
  arch text NOT NULL DEFAULT '',
  cpu_model text NOT NULL DEFAULT '',
  cpu_count integer NOT NULL DEFAULT 0,
  booted_at timestamptz,
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  -- The latest figures, kept here so the machine list is one small read.
  latest_sampled_at timestamptz,
  cpu_percent real,
  memory_total_bytes bigint,
  memory_used_bytes bigint,
  disk_total_bytes bigint,
  disk_used_bytes bigint,
  user_count integer NOT NULL DEFAULT 0,
  latest_sample jsonb
);

-- People at the machines, by fully-qualified account name (user@DOMAIN or user@host).
CREATE TABLE users (
  id uuid PRIMARY KEY,
  account text NOT NULL UNIQUE,
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE machine_users (
  machine_id uuid NOT NULL REFERENCES machines (id),
  user_id uuid NOT NULL REFERENCES users (id),
  terminal text NOT NULL,
  from_address text NOT NULL DEFAULT '',
  logged_in_at timestamptz,
  last_seen_at timestamptz NOT NULL,
  PRIMARY KEY (machine_id, user_id, terminal)
);

-- One row per callback ever stored: the agent's id makes a second delivery a no-op.
CREATE TABLE callbacks (
  callback_id uuid PRIMARY KEY,
  machine_id uuid NOT NULL REFERENCES machines (id),
  component_id uuid NOT NULL REFERENCES components (id),
  sampled_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  process_count integer NOT NULL
);

CREATE TABLE machine_samples (
  machine_id uuid NOT NULL REFERENCES machines (id),
  sampled_at timestamptz NOT NULL,
  callback_id uuid NOT NULL REFERENCES callbacks (callback_id),
  cpu_percent real NOT NULL,
  load1 real,
  memory_total_bytes bigint NOT NULL,
  memory_used_bytes bigint NOT NULL,
  disk_total_bytes bigint NOT NULL,
  disk_used_bytes bigint NOT NULL,
  PRIMARY KEY (machine_id, sampled_at, callback_id)
);

CREATE TABLE process_samples (
  machine_id uuid NOT NULL REFERENCES machines (id),
  sampled_at timestamptz NOT NULL,
  callback_id uuid NOT NULL REFERENCES callbacks (callback_id),
  pid integer NOT NULL,
  parent_pid integer NOT NULL,
  name text NOT NULL,
  command text NOT NULL,
  account text NOT NULL,
  cpu_percent real NOT NULL,
  memory_rss_bytes bigint NOT NULL,
  started_at timestamptz
);
CREATE INDEX process_samples_machine_time ON process_samples (machine_id, sampled_at);

-- Administrative actions and system events, newest last.
CREATE TABLE change_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  action text NOT NULL,
  subject text NOT NULL DEFAULT '',
  detail jsonb NOT NULL DEFAULT '{}'
);
