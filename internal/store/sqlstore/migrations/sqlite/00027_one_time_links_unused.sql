-- The pending-invitation list (OneTimeLinks.ListUnused): a tenant's unused
-- links of one purpose, newest first, read in index order; used links stay
-- out of the index, so it holds only what can still be listed.
-- Keep in step with migrations/postgres/00027_one_time_links_unused.sql.

-- +goose Up
CREATE INDEX one_time_links_unused ON one_time_links (tenant_id, purpose, created_at DESC, hash) WHERE used_at IS NULL;

-- +goose Down
DROP INDEX one_time_links_unused;
