-- Saved filters: a person's named inspector filters (search text, field filters, sort), kept
-- on the hub so they follow the person from browser to browser. Each belongs to the actor who
-- saved it ('person:<name>' or 'token:<id>'); names are unique per owner.
CREATE TABLE saved_filters (
  id uuid PRIMARY KEY,
  owner text NOT NULL,
  name text NOT NULL,
  list text,
  params jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (owner, name)
);
