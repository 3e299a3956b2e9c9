-- Who must use a second factor, and what a sign-in proved. Keep in step
-- with migrations/postgres/00020_mfa_policy.sql.
--
-- tenant_mfa_policies holds a tenant's policy (admins: every
-- administrator; required: every member who signs in with a password); no
-- row means optional. client_mfa_required lists the clients that ask a
-- second factor of every member. They are tables of their own rather than
-- columns of tenants and clients, which every other feature reads and
-- writes. grants.amr is the session's RFC 8176 methods when the grant was
-- made, so the ID tokens of a code or a refresh state how the member
-- signed in; existing grants have none.

-- +goose Up
CREATE TABLE tenant_mfa_policies (
    tenant_id TEXT NOT NULL PRIMARY KEY REFERENCES tenants (id),
    policy    TEXT NOT NULL
) STRICT;

CREATE TABLE client_mfa_required (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    client_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, client_id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, id) ON DELETE CASCADE
) STRICT;

ALTER TABLE grants ADD COLUMN amr TEXT NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE grants DROP COLUMN amr;
DROP TABLE client_mfa_required;
DROP TABLE tenant_mfa_policies;
