-- Device authorization requests (RFC 8628). Keep in step with
-- migrations/sqlite/00024_device_authorizations.sql: same table, columns,
-- keys and indexes; only the types differ.
--
-- Both codes are stored by their SHA-256 only. The user code's hash is
-- unique per tenant, so the member's entry finds exactly one request (a
-- collision at creation makes the server draw another code). Requests go
-- with their client. polled_at, decided_at and consumed_at are NULL until
-- they happen; status is pending, approved or denied.

-- +goose Up
CREATE TABLE device_authorizations (
    tenant_id      TEXT    NOT NULL REFERENCES tenants (id),
    device_hash    TEXT    NOT NULL,
    user_code_hash TEXT    NOT NULL,
    client_id      TEXT    NOT NULL,
    scopes         TEXT    NOT NULL,
    interval_ms    BIGINT  NOT NULL,
    status         TEXT    NOT NULL,
    member_id      TEXT    NOT NULL,
    grant_id       TEXT    NOT NULL,
    created_at     BIGINT  NOT NULL,
    expires_at     BIGINT  NOT NULL,
    polled_at      BIGINT,
    decided_at     BIGINT,
    consumed_at    BIGINT,
    PRIMARY KEY (tenant_id, device_hash),
    FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX device_authorizations_user_code ON device_authorizations (tenant_id, user_code_hash);
CREATE INDEX device_authorizations_client ON device_authorizations (tenant_id, client_id);
CREATE INDEX device_authorizations_expires ON device_authorizations (expires_at);

-- +goose Down
DROP TABLE device_authorizations;
