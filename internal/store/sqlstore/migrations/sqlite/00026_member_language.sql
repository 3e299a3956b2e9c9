-- A member's remembered language: their last choice (on /account/ or an
-- application's ui_locales) or an administrator's; '' when none is known.
-- Keep in step with migrations/postgres/00026_member_language.sql.

-- +goose Up
ALTER TABLE members ADD COLUMN language TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE members DROP COLUMN language;
