-- A member's groups read by member alone (Grants.Access, on every userinfo
-- and introspection call): with group_id in the index the read never
-- touches the table, and SQLite, which keeps no statistics here, then picks
-- this index instead of scanning the tenant's whole membership through the
-- primary key.
-- Keep in step with migrations/sqlite/00028_group_members_by_member.sql.

-- +goose Up
DROP INDEX group_members_member;
CREATE INDEX group_members_member ON group_members (tenant_id, member_id, group_id);

-- +goose Down
DROP INDEX group_members_member;
CREATE INDEX group_members_member ON group_members (tenant_id, member_id);
