-- The browser and operating system a session's User-Agent named, from a
-- fixed list (package useragent), so a member tells their browsers apart
-- on their page; '' when it named none. Keep in step with
-- migrations/sqlite/00025_session_device.sql.

-- +goose Up
ALTER TABLE sessions ADD COLUMN browser TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN os TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE sessions DROP COLUMN os;
ALTER TABLE sessions DROP COLUMN browser;
