-- A per-client switch that leaves RFC 9207's iss out of authorization
-- responses, for relying parties that mishandle it (mod_auth_openidc reads
-- iss without code as a third-party-initiated login). Keep in step with
-- migrations/postgres/00011_client_omit_iss.sql. Existing clients keep iss.

-- +goose Up
ALTER TABLE clients ADD COLUMN omit_authorization_response_iss INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE clients DROP COLUMN omit_authorization_response_iss;
