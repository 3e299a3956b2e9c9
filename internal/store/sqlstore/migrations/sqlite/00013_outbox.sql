-- The outbox: what is to be sent later (mail now, webhook deliveries
-- later), written in the transaction of the change that causes it. Keep in
-- step with migrations/postgres/00013_outbox.sql: same columns, keys and
-- indexes; only the types differ.
--
-- id orders delivery (AUTOINCREMENT: never reused). An item is claimed by
-- setting claimed_by and claimed_until in one UPDATE; claimed_until = 0
-- means unclaimed. done_at is NULL while the item is pending.

-- +goose Up
CREATE TABLE outbox (
    id              INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    tenant_id       TEXT    NOT NULL REFERENCES tenants (id),
    kind            TEXT    NOT NULL,
    stream          TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    attempts        INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    claimed_by      TEXT    NOT NULL,
    claimed_until   INTEGER NOT NULL,
    last_error      TEXT    NOT NULL,
    done_at         INTEGER
) STRICT;
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX outbox_stream ON outbox (tenant_id, stream, id) WHERE status = 'pending';
CREATE INDEX outbox_tenant ON outbox (tenant_id, kind, id);
CREATE INDEX outbox_done ON outbox (done_at) WHERE done_at IS NOT NULL;

-- +goose Down
DROP TABLE outbox;
