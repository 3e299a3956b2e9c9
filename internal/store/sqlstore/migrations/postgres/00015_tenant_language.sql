-- The language of a tenant's member-facing pages when neither ui_locales
-- nor the browser names one Guildgate speaks ('' = English). Keep in step
-- with the other dialect's 00015_tenant_language.sql.

-- +goose Up
ALTER TABLE tenants ADD COLUMN default_language TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE tenants DROP COLUMN default_language;
