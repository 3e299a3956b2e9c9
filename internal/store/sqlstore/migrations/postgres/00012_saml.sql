-- The SAML 2.0 identity provider. Keep in step with
-- migrations/sqlite/00012_saml.sql: same tables, columns, keys and indexes;
-- only the types differ.
--
-- signing_keys gains a purpose: "jws" keys sign tokens and are published in
-- the JWKS, "saml" keys sign SAML messages and are published in the SAML
-- metadata. One current key per tenant, purpose and algorithm.
--
-- saml_apps are the service providers an administrator registered; the
-- entity id is unique per tenant because it is how a request names its app.
-- Lists are JSON arrays, like the clients table's.
--
-- The ids of accepted SAML messages are remembered in auth_resumes, the
-- store's one single-use-id record.
--
-- saml_pending is a checked AuthnRequest waiting for its member to sign
-- in, kept by the SHA-256 of the handle in the return URL and consumed
-- once; it goes with its app.

-- +goose Up
ALTER TABLE signing_keys ADD COLUMN purpose TEXT NOT NULL DEFAULT 'jws';
DROP INDEX signing_keys_current;
CREATE UNIQUE INDEX signing_keys_current ON signing_keys (tenant_id, purpose, alg) WHERE state = 'current';

CREATE TABLE saml_apps (
    tenant_id        TEXT    NOT NULL REFERENCES tenants (id),
    id               TEXT    NOT NULL,
    name             TEXT    NOT NULL,
    entity_id        TEXT    NOT NULL,
    acs_urls         TEXT    NOT NULL,
    slo_url          TEXT    NOT NULL,
    signing_cert     TEXT    NOT NULL,
    nameid_format    TEXT    NOT NULL,
    all_members      BOOLEAN NOT NULL,
    permitted_groups TEXT    NOT NULL,
    relay_state      TEXT    NOT NULL,
    metadata_url     TEXT    NOT NULL,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, entity_id)
);

CREATE TABLE saml_pending (
    tenant_id    TEXT    NOT NULL,
    hash         TEXT    NOT NULL,
    app_id       TEXT    NOT NULL,
    request_id   TEXT    NOT NULL,
    acs_url      TEXT    NOT NULL,
    relay_state  TEXT    NOT NULL,
    force_authn  BOOLEAN NOT NULL,
    browser_hash TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL,
    consumed_at  BIGINT,
    PRIMARY KEY (tenant_id, hash),
    FOREIGN KEY (tenant_id, app_id) REFERENCES saml_apps (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX saml_pending_app ON saml_pending (tenant_id, app_id);
CREATE INDEX saml_pending_expires ON saml_pending (expires_at);

-- +goose Down
DROP TABLE saml_pending;
DROP TABLE saml_apps;
DELETE FROM signing_keys WHERE purpose <> 'jws';
DROP INDEX signing_keys_current;
CREATE UNIQUE INDEX signing_keys_current ON signing_keys (tenant_id, alg) WHERE state = 'current';
ALTER TABLE signing_keys DROP COLUMN purpose;
