-- Admin API keys. Keep in step with migrations/postgres/00003_api_keys.sql:
-- same table, columns, keys and indexes; only the types differ.
--
-- Only the SHA-256 of a key is stored. revoked_at is NULL while the key
-- works, like the other "not yet" moments in 00002.

-- +goose Up
CREATE TABLE api_keys (
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id),
    id         TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    hash       TEXT    NOT NULL,
    prefix     TEXT    NOT NULL,
    created_by TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER,
    PRIMARY KEY (tenant_id, id)
) STRICT;
-- Every API request finds its key by (tenant, hash).
CREATE UNIQUE INDEX api_keys_hash ON api_keys (tenant_id, hash);

-- +goose Down
DROP TABLE api_keys;
