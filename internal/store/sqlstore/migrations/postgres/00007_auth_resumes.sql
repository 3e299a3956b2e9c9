-- Honoured authorization resume markers. Keep in step with
-- migrations/sqlite/00007_auth_resumes.sql: same table, columns, keys and
-- indexes; only the types differ.
--
-- An authorization request that sends the browser to sign in carries a
-- sealed marker through /login; the first resumed request that counts a new
-- session as that sign-in records the marker's random id here, so a replay
-- of the same URL counts for nothing. Rows are only written for real
-- sign-ins, and are swept once the marker has expired.

-- +goose Up
CREATE TABLE auth_resumes (
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id),
    id         TEXT    NOT NULL,
    expires_at BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX auth_resumes_expires ON auth_resumes (expires_at);

-- +goose Down
DROP TABLE auth_resumes;
