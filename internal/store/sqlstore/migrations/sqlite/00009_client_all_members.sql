-- An explicit "every member" flag on SSO clients. Keep in step with
-- migrations/postgres/00009_client_all_members.sql: same column; only the
-- type differs.
--
-- Until now an empty permitted_groups list meant "every member may use the
-- client", so deleting a client's only permitted group, or re-saving a form
-- that could not show a deleted group, silently opened it to everyone.
-- all_members records the administrator's choice itself; a list that
-- empties leaves the client closed. Existing rows keep exactly the access
-- they had.

-- +goose Up
ALTER TABLE clients ADD COLUMN all_members INTEGER NOT NULL DEFAULT 0;
UPDATE clients SET all_members = 1 WHERE permitted_groups = '[]';

-- +goose Down
ALTER TABLE clients DROP COLUMN all_members;
