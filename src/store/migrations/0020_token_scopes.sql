-- An API token may be narrowed to scopes, each naming a group of routes; a token without any
-- (the empty list, as every token made before) may call whatever its role allows.
ALTER TABLE api_tokens ADD COLUMN scopes text[] NOT NULL DEFAULT '{}';
