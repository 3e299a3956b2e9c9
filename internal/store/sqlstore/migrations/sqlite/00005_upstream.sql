-- Upstream federation: connections to organisations' identity providers,
-- the identities linked through them, upstream round trips, setup links and
-- the upstream ID tokens /log-out names. Keep in step with
-- migrations/postgres/00005_upstream.sql: same tables, columns, keys and
-- indexes; only the types differ.
--
-- Times are unix microseconds UTC; consumed_at and used_at are NULL until
-- they happen, as in 00002. Lists, the claim mapping and the group map are
-- JSON text. client_secret and id_token are sealed by the secrets package.

-- +goose Up
CREATE TABLE connections (
    tenant_id             TEXT    NOT NULL REFERENCES tenants (id),
    id                    TEXT    NOT NULL,
    name                  TEXT    NOT NULL,
    discovery_url         TEXT    NOT NULL,
    issuer                TEXT    NOT NULL,
    authorization_url     TEXT    NOT NULL,
    token_url             TEXT    NOT NULL,
    jwks_url              TEXT    NOT NULL,
    userinfo_url          TEXT    NOT NULL,
    client_id             TEXT    NOT NULL,
    client_secret         TEXT    NOT NULL,
    scopes                TEXT    NOT NULL,
    claims                TEXT    NOT NULL,
    group_map             TEXT    NOT NULL,
    jit                   INTEGER NOT NULL,
    jit_status            TEXT    NOT NULL,
    trust_email           INTEGER NOT NULL,
    issuer_mode           TEXT    NOT NULL,
    allowed_tenant_ids    TEXT    NOT NULL,
    auth_method           TEXT    NOT NULL,
    fetch_userinfo        INTEGER NOT NULL,
    show_button           INTEGER NOT NULL,
    email_fallback_claims TEXT    NOT NULL,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;

-- The primary key alone stops two connections of a tenant from serving one
-- email domain, whatever the application does, as tenant_hosts does for hosts.
CREATE TABLE connection_domains (
    tenant_id     TEXT    NOT NULL,
    domain        TEXT    NOT NULL, -- lower-case
    connection_id TEXT    NOT NULL,
    position      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, domain),
    FOREIGN KEY (tenant_id, connection_id) REFERENCES connections (tenant_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX connection_domains_connection ON connection_domains (tenant_id, connection_id, position);

-- Identities are keyed by (connection, issuer, subject), never by email.
CREATE TABLE identities (
    tenant_id     TEXT    NOT NULL,
    connection_id TEXT    NOT NULL,
    issuer        TEXT    NOT NULL,
    subject       TEXT    NOT NULL,
    member_id     TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, connection_id, issuer, subject),
    FOREIGN KEY (tenant_id, connection_id) REFERENCES connections (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX identities_member ON identities (tenant_id, member_id);

CREATE TABLE upstream_states (
    tenant_id     TEXT    NOT NULL,
    hash          TEXT    NOT NULL,
    connection_id TEXT    NOT NULL,
    purpose       TEXT    NOT NULL,
    nonce         TEXT    NOT NULL,
    code_verifier TEXT    NOT NULL,
    browser_hash  TEXT    NOT NULL,
    return_to     TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    consumed_at   INTEGER,
    PRIMARY KEY (tenant_id, hash),
    FOREIGN KEY (tenant_id, connection_id) REFERENCES connections (tenant_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX upstream_states_connection ON upstream_states (tenant_id, connection_id);
CREATE INDEX upstream_states_expires ON upstream_states (expires_at);

CREATE TABLE setup_links (
    tenant_id     TEXT    NOT NULL,
    hash          TEXT    NOT NULL,
    connection_id TEXT    NOT NULL,
    created_by    TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    used_at       INTEGER,
    PRIMARY KEY (tenant_id, hash),
    FOREIGN KEY (tenant_id, connection_id) REFERENCES connections (tenant_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX setup_links_connection ON setup_links (tenant_id, connection_id);
CREATE INDEX setup_links_expires ON setup_links (expires_at);

-- One row per browser session begun upstream; it ends with the session.
CREATE TABLE upstream_sessions (
    tenant_id     TEXT    NOT NULL,
    session_id    TEXT    NOT NULL,
    connection_id TEXT    NOT NULL,
    id_token      TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, session_id),
    FOREIGN KEY (tenant_id, session_id) REFERENCES sessions (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, connection_id) REFERENCES connections (tenant_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX upstream_sessions_connection ON upstream_sessions (tenant_id, connection_id);

-- +goose Down
DROP TABLE upstream_sessions;
DROP TABLE setup_links;
DROP TABLE upstream_states;
DROP TABLE identities;
DROP TABLE connection_domains;
DROP TABLE connections;
