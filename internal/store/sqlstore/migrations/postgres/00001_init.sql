-- Initial schema. Keep in step with migrations/sqlite/00001_init.sql: same
-- tables, columns, keys and indexes; only the types differ.
-- Times are unix microseconds UTC; booleans are BOOLEAN; lists are JSON text.

-- +goose Up
CREATE TABLE tenants (
    id               TEXT    NOT NULL PRIMARY KEY,
    slug             TEXT    NOT NULL UNIQUE,
    name             TEXT    NOT NULL,
    issuer           TEXT    NOT NULL,
    after_logout_url TEXT    NOT NULL,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL
);

-- Every host a tenant answers for, its issuer's host included, so that the
-- primary key alone stops two tenants from claiming one host.
CREATE TABLE tenant_hosts (
    host      TEXT    NOT NULL PRIMARY KEY,
    tenant_id TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    is_issuer BOOLEAN NOT NULL,
    position  INT     NOT NULL
);
CREATE INDEX tenant_hosts_tenant ON tenant_hosts (tenant_id, position);

CREATE TABLE members (
    tenant_id      TEXT    NOT NULL REFERENCES tenants (id),
    id             TEXT    NOT NULL,
    email          TEXT    NOT NULL,
    email_norm     TEXT    NOT NULL,
    email_verified BOOLEAN NOT NULL,
    name           TEXT    NOT NULL,
    name_norm      TEXT    NOT NULL,
    given_name     TEXT    NOT NULL,
    family_name    TEXT    NOT NULL,
    legacy_id      TEXT    NOT NULL,
    legacy_id_norm TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    disabled       BOOLEAN NOT NULL,
    admin          BOOLEAN NOT NULL,
    password_hash  TEXT    NOT NULL,
    created_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX members_email ON members (tenant_id, email_norm);
-- Keyset pagination walks (email_norm, id) within a tenant.
CREATE INDEX members_page ON members (tenant_id, email_norm, id);

CREATE TABLE groups (
    tenant_id   TEXT    NOT NULL REFERENCES tenants (id),
    id          TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    name_norm   TEXT    NOT NULL,
    description TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX groups_name ON groups (tenant_id, name_norm);

-- Both foreign keys carry tenant_id, so a membership can never join a group
-- of one tenant to a member of another.
CREATE TABLE group_members (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    group_id  TEXT NOT NULL,
    member_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, group_id, member_id),
    FOREIGN KEY (tenant_id, group_id) REFERENCES groups (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX group_members_member ON group_members (tenant_id, member_id);

CREATE TABLE sessions (
    tenant_id    TEXT    NOT NULL REFERENCES tenants (id),
    id           TEXT    NOT NULL,
    member_id    TEXT    NOT NULL,
    auth_time    BIGINT  NOT NULL,
    created_at   BIGINT  NOT NULL,
    last_seen_at BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL,
    amr          TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_member ON sessions (tenant_id, member_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);

CREATE TABLE throttles (
    tenant_id    TEXT    NOT NULL REFERENCES tenants (id),
    throttle_key TEXT    NOT NULL,
    tokens       DOUBLE PRECISION NOT NULL,
    updated_at   BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, throttle_key)
);
CREATE INDEX throttles_updated ON throttles (updated_at);

-- BIGSERIAL; as in SQLite an id is never reused: ids are the audit cursor.
CREATE TABLE audit_events (
    id        BIGSERIAL PRIMARY KEY,
    tenant_id TEXT    NOT NULL REFERENCES tenants (id),
    at        BIGINT  NOT NULL,
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    target    TEXT    NOT NULL,
    ip        TEXT    NOT NULL,
    detail    TEXT    NOT NULL
);
CREATE INDEX audit_events_tenant ON audit_events (tenant_id, id);
CREATE INDEX audit_events_action ON audit_events (tenant_id, action, id);
CREATE INDEX audit_events_actor ON audit_events (tenant_id, actor, id);
CREATE INDEX audit_events_target ON audit_events (tenant_id, target, id);

-- +goose Down
DROP TABLE audit_events;
DROP TABLE throttles;
DROP TABLE sessions;
DROP TABLE group_members;
DROP TABLE groups;
DROP TABLE members;
DROP TABLE tenant_hosts;
DROP TABLE tenants;
