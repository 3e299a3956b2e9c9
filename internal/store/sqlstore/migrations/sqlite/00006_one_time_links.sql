-- One-time links. Keep in step with migrations/postgres/00006_one_time_links.sql:
-- same table, columns, keys and indexes; only the types differ.
--
-- A link is kept by the SHA-256 of its token. member_id is NULL for a link
-- naming no member (the first-administrator setup), which leaves its
-- foreign key unchecked; a password-reset link goes with its member.
-- used_at is NULL until the link is used, like the other "not yet" moments.

-- +goose Up
CREATE TABLE one_time_links (
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id),
    hash       TEXT    NOT NULL,
    purpose    TEXT    NOT NULL,
    member_id  TEXT,
    created_by TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    PRIMARY KEY (tenant_id, hash),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id) ON DELETE CASCADE
) STRICT;
-- A new link replaces the unused ones of its purpose and member; the member
-- cascade finds its links here too.
CREATE INDEX one_time_links_member ON one_time_links (tenant_id, member_id, purpose);
CREATE INDEX one_time_links_expires ON one_time_links (expires_at);

-- +goose Down
DROP TABLE one_time_links;
