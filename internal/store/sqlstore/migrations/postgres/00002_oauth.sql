-- SSO clients, signing keys and everything the OAuth endpoints issue. Keep in
-- step with migrations/sqlite/00002_oauth.sql: same tables, columns, keys
-- and indexes; only the types differ.
--
-- Times are unix microseconds UTC, as in 00001, with one exception: a moment
-- that an atomic statement tests for "not yet" (consumed_at, used_at,
-- revoked_at) is NULL until it happens, so no time value, not even the epoch
-- or Go's zero time, can be mistaken for "not yet".

-- +goose Up

-- One counter per cached aggregate. Every client or key-set write bumps its
-- row in the same transaction, so a replica validates its cache with one
-- primary-key read. The counters span all tenants.
CREATE TABLE versions (
    name    TEXT    NOT NULL PRIMARY KEY,
    version BIGINT  NOT NULL
);
INSERT INTO versions (name, version) VALUES ('clients', 0), ('keys', 0);

-- Lists are JSON arrays, never null. permitted_groups has no index of its
-- own: ListByGroup reads the tenant's few clients through the primary key
-- and filters in Go, which both databases do alike without JSON operators.
-- secrets is a JSON array of {ciphertext, created_at, expires_at}, sealed by
-- the secrets package before it reaches the store.
CREATE TABLE clients (
    tenant_id                 TEXT    NOT NULL REFERENCES tenants (id),
    id                        TEXT    NOT NULL, -- lower-case
    name                      TEXT    NOT NULL,
    redirect_uris             TEXT    NOT NULL,
    post_logout_redirect_uris TEXT    NOT NULL,
    permitted_groups          TEXT    NOT NULL,
    id_token_alg              TEXT    NOT NULL,
    backchannel_logout_uri    TEXT    NOT NULL,
    grant_types               TEXT    NOT NULL,
    public                    BOOLEAN NOT NULL,
    groups_claim              BOOLEAN NOT NULL,
    secrets                   TEXT    NOT NULL,
    created_at                BIGINT  NOT NULL,
    updated_at                BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE signing_keys (
    tenant_id    TEXT    NOT NULL REFERENCES tenants (id),
    id           TEXT    NOT NULL,
    alg          TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    private_key  TEXT    NOT NULL,
    public_jwk   TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    activated_at BIGINT  NOT NULL,
    retired_at   BIGINT  NOT NULL,
    remove_after BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
-- One current key per tenant and algorithm, whatever a rotation bug does.
CREATE UNIQUE INDEX signing_keys_current ON signing_keys (tenant_id, alg) WHERE state = 'current';

-- member_id and session_id are NULL when empty. A NULL member_id
-- (client_credentials) leaves the member foreign key unchecked; a set one
-- makes the grant go with its member. session_id has no foreign key on
-- purpose: a session ends at logout while its grants stay, revoked, until
-- they expire, so that tokens issued under them keep failing.
CREATE TABLE grants (
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id),
    id         TEXT    NOT NULL,
    client_id  TEXT    NOT NULL,
    member_id  TEXT,
    session_id TEXT,
    scopes     TEXT    NOT NULL,
    auth_time  BIGINT  NOT NULL,
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL,
    revoked_at BIGINT,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX grants_session ON grants (tenant_id, session_id);
-- The cascades from clients and members find grants through these.
CREATE INDEX grants_client ON grants (tenant_id, client_id);
CREATE INDEX grants_member ON grants (tenant_id, member_id);
CREATE INDEX grants_expires ON grants (expires_at);

-- Codes and refresh tokens are keyed by the SHA-256 of their value and go
-- with their grant, so deleting a client or a member removes them too.
CREATE TABLE auth_codes (
    tenant_id             TEXT    NOT NULL REFERENCES tenants (id),
    hash                  TEXT    NOT NULL,
    grant_id              TEXT    NOT NULL,
    client_id             TEXT    NOT NULL,
    member_id             TEXT    NOT NULL,
    session_id            TEXT    NOT NULL,
    redirect_uri          TEXT    NOT NULL,
    scopes                TEXT    NOT NULL,
    nonce                 TEXT    NOT NULL,
    code_challenge        TEXT    NOT NULL,
    code_challenge_method TEXT    NOT NULL,
    auth_time             BIGINT  NOT NULL,
    created_at            BIGINT  NOT NULL,
    expires_at            BIGINT  NOT NULL,
    consumed_at           BIGINT,
    PRIMARY KEY (tenant_id, hash),
    FOREIGN KEY (tenant_id, grant_id) REFERENCES grants (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX auth_codes_grant ON auth_codes (tenant_id, grant_id);
CREATE INDEX auth_codes_expires ON auth_codes (expires_at);

CREATE TABLE refresh_tokens (
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id),
    hash       TEXT    NOT NULL,
    grant_id   TEXT    NOT NULL,
    client_id  TEXT    NOT NULL,
    member_id  TEXT    NOT NULL,
    scopes     TEXT    NOT NULL,
    auth_time  BIGINT  NOT NULL,
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (tenant_id, hash),
    FOREIGN KEY (tenant_id, grant_id) REFERENCES grants (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX refresh_tokens_grant ON refresh_tokens (tenant_id, grant_id);
CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);

-- Revoked access tokens, kept until they would have expired anyway.
CREATE TABLE revoked_tokens (
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id),
    jti        TEXT    NOT NULL,
    expires_at BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, jti)
);
CREATE INDEX revoked_tokens_expires ON revoked_tokens (expires_at);

-- +goose Down
DROP TABLE revoked_tokens;
DROP TABLE refresh_tokens;
DROP TABLE auth_codes;
DROP TABLE grants;
DROP TABLE signing_keys;
DROP TABLE clients;
DROP TABLE versions;
