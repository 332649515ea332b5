-- The agent version each agent last reported in a callback, for the policy's security check
-- of a minimum version and for the list of who runs what.
ALTER TABLE components ADD COLUMN agent_version text;
