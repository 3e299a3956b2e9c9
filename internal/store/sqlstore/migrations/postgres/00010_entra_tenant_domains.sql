-- Entra ID tenants bound to the email domains they may assert. Keep in step
-- with migrations/sqlite/00010_entra_tenant_domains.sql, which says why a
-- single allowed tenant is bound to every domain of its connection and
-- several are bound to none.

-- +goose Up
ALTER TABLE connections ADD COLUMN entra_tenants TEXT NOT NULL DEFAULT '[]';
UPDATE connections AS c SET entra_tenants = (
    SELECT json_agg(json_build_object('tenant_id', t.id, 'domains',
        CASE WHEN json_array_length(c.allowed_tenant_ids::json) = 1
            THEN COALESCE((SELECT json_agg(d.domain ORDER BY d.position) FROM connection_domains AS d
                WHERE d.tenant_id = c.tenant_id AND d.connection_id = c.id), '[]'::json)
            ELSE '[]'::json END) ORDER BY t.ord)::text
    FROM json_array_elements_text(c.allowed_tenant_ids::json) WITH ORDINALITY AS t (id, ord))
WHERE json_array_length(c.allowed_tenant_ids::json) > 0;
ALTER TABLE connections ALTER COLUMN entra_tenants DROP DEFAULT;
ALTER TABLE connections DROP COLUMN allowed_tenant_ids;

-- +goose Down
-- Going back forgets the bindings: every allowed tenant may then assert
-- every domain of its connection again.
ALTER TABLE connections ADD COLUMN allowed_tenant_ids TEXT NOT NULL DEFAULT '[]';
UPDATE connections AS c SET allowed_tenant_ids = COALESCE((
    SELECT json_agg(t.e ->> 'tenant_id' ORDER BY t.ord) FROM json_array_elements(c.entra_tenants::json)
        WITH ORDINALITY AS t (e, ord))::text, '[]');
ALTER TABLE connections ALTER COLUMN allowed_tenant_ids DROP DEFAULT;
ALTER TABLE connections DROP COLUMN entra_tenants;
