-- Webhook endpoints. Keep in step with migrations/sqlite/00019_webhooks.sql:
-- same tables, columns, keys and indexes; only the types differ.
--
-- events and secrets are JSON lists, like the clients table's (secrets
-- sealed, newest first). What is sent to an endpoint waits in the outbox.

-- +goose Up
CREATE TABLE webhook_endpoints (
    tenant_id       TEXT    NOT NULL REFERENCES tenants (id),
    id              TEXT    NOT NULL,
    url             TEXT    NOT NULL,
    events          TEXT    NOT NULL,
    secrets         TEXT    NOT NULL,
    disabled        BOOLEAN NOT NULL,
    disabled_reason TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- +goose Down
DROP TABLE webhook_endpoints;
