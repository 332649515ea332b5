-- Policies: named, versioned settings for agents or collectors. Every change makes a new
-- version and keeps the old one; components carry the version their certificate holds.
CREATE TABLE policies (
  id uuid PRIMARY KEY,
  name text NOT NULL UNIQUE,
  kind text NOT NULL CHECK (kind IN ('agent', 'collector')),
  version integer NOT NULL DEFAULT 1,
  settings jsonb NOT NULL,
  is_default boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- One default policy per kind: what a component gets when no group names another.
CREATE UNIQUE INDEX policies_one_default ON policies (kind) WHERE is_default;

CREATE TABLE policy_versions (
  policy_id uuid NOT NULL REFERENCES policies (id) ON DELETE CASCADE,
  version integer NOT NULL,
  settings jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  PRIMARY KEY (policy_id, version)
);

-- Groups pick the policy for their members: listed members, and components that match the
-- rule (name pattern, operating system, subnet). The lowest priority number wins.
CREATE TABLE component_groups (
  id uuid PRIMARY KEY,
  name text NOT NULL UNIQUE,
  kind text NOT NULL CHECK (kind IN ('agent', 'collector')),
  policy_id uuid NOT NULL REFERENCES policies (id),
  priority integer NOT NULL DEFAULT 100,
  rule jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE component_group_members (
  group_id uuid NOT NULL REFERENCES component_groups (id) ON DELETE CASCADE,
  component_id uuid NOT NULL REFERENCES components (id),
  PRIMARY KEY (group_id, component_id)
);

ALTER TABLE components ADD COLUMN policy_id uuid REFERENCES policies (id);
ALTER TABLE components ADD COLUMN policy_version integer;
