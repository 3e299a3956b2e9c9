-- What the receiver last answered, so deliveries can be listed with their
-- response code and timing. Keep in step with
-- migrations/postgres/00021_outbox_answers.sql.
--
-- last_attempt_at is when the last attempt ended (0: none yet); last_code
-- the receiver's answer to it (an HTTP status for a webhook; 0 when there
-- was none: a network error, a refused address, a timeout).

-- +goose Up
ALTER TABLE outbox ADD COLUMN last_attempt_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN last_code INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE outbox DROP COLUMN last_code;
ALTER TABLE outbox DROP COLUMN last_attempt_at;
