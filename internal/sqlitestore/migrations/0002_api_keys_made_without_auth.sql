-- Keys made through POST /v1/keys while the server ran with auth off:
-- refused under auth on until re-issued (auth.Key.MadeWithoutAuth).
ALTER TABLE api_keys ADD COLUMN made_without_auth INTEGER NOT NULL DEFAULT 0;
