-- Cluster-wide leases. Keep in step with migrations/postgres/00004_leases.sql:
-- same table, columns and keys; only the types differ.
--
-- A lease is not tenant-owned: it names work done once for the whole
-- cluster (the background jobs), whichever tenants that work touches.
-- expires_at is unix microseconds UTC, as everywhere; a row whose
-- expires_at has passed is free for the next replica to take.

-- +goose Up
CREATE TABLE leases (
    name       TEXT    NOT NULL PRIMARY KEY,
    holder     TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE leases;
