-- Passkeys (WebAuthn credentials). Keep in step with
-- migrations/sqlite/00022_passkeys.sql: same table, columns, keys and
-- indexes; only the types differ.
--
-- id is the credential id (base64url), unique in the tenant, since a
-- passwordless sign-in finds its member through it. record is the
-- credential record (public key, flags, transports; nothing secret) as
-- package passkeys encodes it. sign_count is the authenticator's signature
-- counter, advanced by one conditional UPDATE per use; last_used_at is 0
-- until the first use. Passkeys go with their member.

-- +goose Up
CREATE TABLE member_passkeys (
    tenant_id    TEXT   NOT NULL REFERENCES tenants (id),
    id           TEXT   NOT NULL,
    member_id    TEXT   NOT NULL,
    name         TEXT   NOT NULL,
    record       TEXT   NOT NULL,
    sign_count   BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX member_passkeys_member ON member_passkeys (tenant_id, member_id);

-- +goose Down
DROP TABLE member_passkeys;
