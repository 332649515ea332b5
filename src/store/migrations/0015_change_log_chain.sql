-- The change log becomes a hash chain: each entry carries the SHA-256 of the entry before it
-- and its own, so an entry changed, removed or slipped in later shows where the chain breaks.
-- Entries written before this version are chained by the next entry the hub records.
ALTER TABLE change_log ADD COLUMN prev_hash bytea;
ALTER TABLE change_log ADD COLUMN hash bytea;
CREATE INDEX change_log_unsealed ON change_log (id) WHERE hash IS NULL;
CREATE INDEX change_log_action ON change_log (action, id);

-- Entries are never edited or removed through the store either: the only change allowed is
-- sealing an entry that has no hash yet.
CREATE FUNCTION change_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.hash IS NULL
     AND (NEW.id, NEW.at, NEW.actor, NEW.action, NEW.subject, NEW.detail)
       IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.actor, OLD.action, OLD.subject, OLD.detail) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the change log is append-only: entry % cannot be %', OLD.id, lower(TG_OP)
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER change_log_append_only BEFORE UPDATE OR DELETE ON change_log
  FOR EACH ROW EXECUTE FUNCTION change_log_append_only();
