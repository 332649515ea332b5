-- Agent releases an administrator published: the bundle itself and the manifest the site CA
-- signed for it. Kept in the store so that every hub of the site serves the same releases.
CREATE TABLE agent_releases (
  version text PRIMARY KEY,
  manifest text NOT NULL,
  signature text NOT NULL,
  sha256 text NOT NULL,
  size_bytes bigint NOT NULL,
  bundle bytea NOT NULL,
  published_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
