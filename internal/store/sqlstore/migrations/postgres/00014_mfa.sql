-- Second factors. Keep in step with migrations/sqlite/00014_mfa.sql: same
-- tables, columns, keys and indexes; only the types differ.
--
-- member_totp holds a member's authenticator app: the secret sealed under
-- the master key, and the last time step accepted, so each code works once
-- (an UPDATE ... WHERE last_step < $n accepts a code on one replica only).
-- recovery_codes holds the SHA-256 of each recovery code; used_at is 0
-- while unused. Both go with their member.

-- +goose Up
CREATE TABLE member_totp (
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id),
    member_id  TEXT    NOT NULL,
    secret     TEXT    NOT NULL,
    last_step  BIGINT  NOT NULL,
    created_at BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, member_id),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE recovery_codes (
    tenant_id TEXT    NOT NULL REFERENCES tenants (id),
    member_id TEXT    NOT NULL,
    hash      TEXT    NOT NULL,
    used_at   BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, member_id, hash),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE recovery_codes;
DROP TABLE member_totp;
