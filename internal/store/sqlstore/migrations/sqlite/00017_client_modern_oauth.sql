-- Client settings of the modern OAuth profile (RFC 9126, 9101, 7523, 9449):
-- pushed requests required, DPoP required, the token-endpoint
-- authentication method, and the client's public keys by URL or as a JWK
-- Set document. Keep in step with migrations/postgres/00017_client_modern_oauth.sql.
-- Existing clients keep what they had: no requirement, secret methods, no keys.

-- +goose Up
ALTER TABLE clients ADD COLUMN require_par INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN require_dpop INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN token_auth_method TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN jwks_uri TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN jwks TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE clients DROP COLUMN jwks;
ALTER TABLE clients DROP COLUMN jwks_uri;
ALTER TABLE clients DROP COLUMN token_auth_method;
ALTER TABLE clients DROP COLUMN require_dpop;
ALTER TABLE clients DROP COLUMN require_par;
