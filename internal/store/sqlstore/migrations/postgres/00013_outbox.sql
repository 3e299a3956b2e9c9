-- The outbox: what is to be sent later (mail now, webhook deliveries
-- later), written in the transaction of the change that causes it. Keep in
-- step with migrations/sqlite/00013_outbox.sql: same columns, keys and
-- indexes; only the types differ.
--
-- id orders delivery (BIGSERIAL: never reused). An item is claimed by
-- setting claimed_by and claimed_until in one UPDATE; claimed_until = 0
-- means unclaimed. done_at is NULL while the item is pending.

-- +goose Up
CREATE TABLE outbox (
    id              BIGSERIAL PRIMARY KEY,
    tenant_id       TEXT    NOT NULL REFERENCES tenants (id),
    kind            TEXT    NOT NULL,
    stream          TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    attempts        BIGINT  NOT NULL,
    created_at      BIGINT  NOT NULL,
    next_attempt_at BIGINT  NOT NULL,
    claimed_by      TEXT    NOT NULL,
    claimed_until   BIGINT  NOT NULL,
    last_error      TEXT    NOT NULL,
    done_at         BIGINT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX outbox_stream ON outbox (tenant_id, stream, id) WHERE status = 'pending';
CREATE INDEX outbox_tenant ON outbox (tenant_id, kind, id);
CREATE INDEX outbox_done ON outbox (done_at) WHERE done_at IS NOT NULL;

-- +goose Down
DROP TABLE outbox;
