-- The address an email link was mailed to. Keep in step with
-- migrations/sqlite/00023_one_time_link_email.sql.
--
-- An email-verification link proves the address it was sent to (still the
-- member's when used); an email-change link carries the new address, which
-- becomes the member's only when the link is used. NULL for the other links.

-- +goose Up
ALTER TABLE one_time_links ADD COLUMN email TEXT;

-- +goose Down
ALTER TABLE one_time_links DROP COLUMN email;
