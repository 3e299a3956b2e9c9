-- A tenant's look on member-facing pages: primary colour, help and
-- privacy links, sign-in message, and its logo (re-encoded bytes kept in
-- their own table, so reading tenants never drags images along). Keep in
-- step with migrations/sqlite/00018_tenant_branding.sql.

-- +goose Up
ALTER TABLE tenants ADD COLUMN primary_color TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN support_url TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN privacy_url TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN sign_in_message TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN logo_type TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN logo_hash TEXT NOT NULL DEFAULT '';
CREATE TABLE tenant_logos (
    tenant_id TEXT NOT NULL PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    type      TEXT NOT NULL,
    hash      TEXT NOT NULL,
    data      BYTEA NOT NULL
);

-- +goose Down
DROP TABLE tenant_logos;
ALTER TABLE tenants DROP COLUMN logo_hash;
ALTER TABLE tenants DROP COLUMN logo_type;
ALTER TABLE tenants DROP COLUMN sign_in_message;
ALTER TABLE tenants DROP COLUMN privacy_url;
ALTER TABLE tenants DROP COLUMN support_url;
ALTER TABLE tenants DROP COLUMN primary_color;
