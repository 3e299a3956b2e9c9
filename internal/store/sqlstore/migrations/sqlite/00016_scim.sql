-- SCIM provisioning. Keep in step with migrations/postgres/00016_scim.sql:
-- same tables, columns, keys and indexes; only the types differ.
--
-- scim_tokens holds the SHA-256 of each connection's SCIM bearer token (one
-- a connection; issuing another replaces it). SCIM users are identities
-- under the issuer "urn:ietf:params:scim" (see model.SCIMIssuer), so they
-- need no table of their own.
--
-- scim_groups are the groups a connection's directory pushes; their display
-- names are unique per connection, case-insensitively, because the
-- connection's group map names them. scim_group_members records who the
-- directory put in each, so local groups can follow through the group map.
-- All three go with their connection; memberships go with their member.

-- +goose Up
CREATE TABLE scim_tokens (
    tenant_id     TEXT    NOT NULL,
    connection_id TEXT    NOT NULL,
    hash          TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, connection_id),
    FOREIGN KEY (tenant_id, connection_id) REFERENCES connections (tenant_id, id) ON DELETE CASCADE
) STRICT;

CREATE TABLE scim_groups (
    tenant_id     TEXT    NOT NULL,
    connection_id TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    display_name  TEXT    NOT NULL,
    display_norm  TEXT    NOT NULL,
    external_id   TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, connection_id) REFERENCES connections (tenant_id, id) ON DELETE CASCADE
) STRICT;
CREATE UNIQUE INDEX scim_groups_name ON scim_groups (tenant_id, connection_id, display_norm);

CREATE TABLE scim_group_members (
    tenant_id TEXT NOT NULL,
    group_id  TEXT NOT NULL,
    member_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, group_id, member_id),
    FOREIGN KEY (tenant_id, group_id) REFERENCES scim_groups (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX scim_group_members_member ON scim_group_members (tenant_id, member_id);

-- +goose Down
DROP TABLE scim_group_members;
DROP TABLE scim_groups;
DROP TABLE scim_tokens;
