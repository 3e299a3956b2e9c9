-- Connection tests run through a setup link. Keep in step with
-- migrations/sqlite/00008_setup_link_attempts.sql.
--
-- Each test makes the server contact the URLs the link's holder typed, so
-- a link allows a fixed number (connections.MaxSetupAttempts) over its
-- life; the count lives on the row so every replica sees it and it goes
-- with the link.

-- +goose Up
ALTER TABLE setup_links ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE setup_links DROP COLUMN attempts;
