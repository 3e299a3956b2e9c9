-- Entra ID tenants bound to the email domains they may assert. Keep in step
-- with migrations/postgres/00010_entra_tenant_domains.sql.
--
-- allowed_tenant_ids (a JSON list of tenant ids) becomes entra_tenants, a
-- JSON list of {"tenant_id", "domains"}. Before this, any allowed tenant
-- could assert every domain of its connection. A connection with a single
-- allowed tenant keeps exactly that: the tenant is bound to all the
-- connection's domains, and there is no other tenant to impersonate. With
-- several, no one can tell from the data which domain is whose, so each
-- tenant is bound to none: members already linked still sign in, but no
-- new member is linked or created until an administrator binds the
-- domains (and the connection cannot be saved again before that).

-- +goose Up
ALTER TABLE connections ADD COLUMN entra_tenants TEXT NOT NULL DEFAULT '[]';
UPDATE connections SET entra_tenants = (
    SELECT json_group_array(json_object('tenant_id', t.value, 'domains',
        CASE WHEN json_array_length(connections.allowed_tenant_ids) = 1
            THEN json((SELECT json_group_array(d.domain) FROM (SELECT domain FROM connection_domains
                WHERE tenant_id = connections.tenant_id AND connection_id = connections.id
                ORDER BY position) AS d))
            ELSE json('[]') END))
    FROM json_each(connections.allowed_tenant_ids) AS t)
WHERE json_array_length(allowed_tenant_ids) > 0;
ALTER TABLE connections DROP COLUMN allowed_tenant_ids;

-- +goose Down
-- Going back forgets the bindings: every allowed tenant may then assert
-- every domain of its connection again.
ALTER TABLE connections ADD COLUMN allowed_tenant_ids TEXT NOT NULL DEFAULT '[]';
UPDATE connections SET allowed_tenant_ids = (
    SELECT json_group_array(json_extract(t.value, '$.tenant_id')) FROM json_each(connections.entra_tenants) AS t);
ALTER TABLE connections DROP COLUMN entra_tenants;
