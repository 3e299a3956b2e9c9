package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// samlApps implements store.SAMLApps. Ids are lower-cased on every call, as
// client ids are (clientKey); entity ids are compared exactly, as SAML
// compares them.
type samlApps struct{ s *Store }

func (s *Store) SAMLApps() store.SAMLApps { return samlApps{s} }

// samlAppCols is the read order; samlAppArgs the write order, where $1 and
// $2 are the key and $14 created_at, which only an insert writes.
const samlAppCols = `id, tenant_id, name, entity_id, acs_urls, slo_url, signing_cert,
	nameid_format, all_members, permitted_groups, relay_state, metadata_url, updated_at, created_at`

func samlAppArgs(a model.SAMLApp) []any {
	return []any{a.TenantID, clientKey(a.ID), a.Name, a.EntityID, jsonList(a.ACSURLs), a.SLOURL,
		a.SigningCert, a.NameIDFormat, a.AllMembers, jsonList(a.PermittedGroups), a.RelayState, a.MetadataURL,
		micros(a.UpdatedAt), micros(a.CreatedAt)}
}

func (r samlApps) Create(ctx context.Context, a model.SAMLApp) error {
	_, err := r.s.exec(ctx, r.s.db, `INSERT INTO saml_apps (tenant_id, id, name, entity_id, acs_urls,
		slo_url, signing_cert, nameid_format, all_members, permitted_groups, relay_state, metadata_url,
		updated_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`, samlAppArgs(a)...)
	if err != nil {
		return fmt.Errorf("create saml app: %w", err)
	}
	return nil
}

func (r samlApps) Get(ctx context.Context, tenantID, id string) (model.SAMLApp, error) {
	a, err := r.get(ctx, r.s.db, `id = $2`, tenantID, clientKey(id), "")
	if err != nil {
		return model.SAMLApp{}, fmt.Errorf("get saml app: %w", err)
	}
	return a, nil
}

func (r samlApps) GetByEntityID(ctx context.Context, tenantID, entityID string) (model.SAMLApp, error) {
	a, err := r.get(ctx, r.s.db, `entity_id = $2`, tenantID, entityID, "")
	if err != nil {
		return model.SAMLApp{}, fmt.Errorf("get saml app by entity id: %w", err)
	}
	return a, nil
}

func (r samlApps) get(ctx context.Context, q querier, where, tenantID, key, lock string) (model.SAMLApp, error) {
	a, err := scanSAMLApp(q.QueryRowContext(ctx, `SELECT `+samlAppCols+` FROM saml_apps
		WHERE tenant_id = $1 AND `+where+lock, tenantID, key))
	return a, notFound(err)
}

func (r samlApps) List(ctx context.Context, tenantID string) ([]model.SAMLApp, error) {
	rows, err := r.s.db.QueryContext(ctx, `SELECT `+samlAppCols+` FROM saml_apps
		WHERE tenant_id = $1 ORDER BY created_at, id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list saml apps: %w", err)
	}
	defer rows.Close()
	var out []model.SAMLApp
	for rows.Next() {
		a, err := scanSAMLApp(rows)
		if err != nil {
			return nil, fmt.Errorf("list saml apps: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func (r samlApps) Update(ctx context.Context, tenantID, id string, fn func(model.SAMLApp) (model.SAMLApp, error)) (model.SAMLApp, error) {
	get := func(tx *sql.Tx, lock string) (model.SAMLApp, error) {
		return r.get(ctx, tx, `id = $2`, tenantID, clientKey(id), lock)
	}
	return updateRow(ctx, r.s, "saml app", func(tx *sql.Tx) (model.SAMLApp, error) { return get(tx, r.s.d.forUpdate) }, fn,
		func(old, a model.SAMLApp) bool {
			return a.ID != old.ID || a.TenantID != old.TenantID || !a.CreatedAt.Equal(old.CreatedAt)
		},
		func(tx *sql.Tx, a model.SAMLApp) (model.SAMLApp, error) {
			if _, err := r.s.exec(ctx, tx, `UPDATE saml_apps SET name = $3, entity_id = $4, acs_urls = $5,
			slo_url = $6, signing_cert = $7, nameid_format = $8, all_members = $9, permitted_groups = $10,
			relay_state = $11, metadata_url = $12, updated_at = $13 WHERE tenant_id = $1 AND id = $2`,
				samlAppArgs(a)[:13]...); err != nil {
				return model.SAMLApp{}, err
			}
			return get(tx, "")
		})
}

// Delete removes the app and, by cascade, its pending requests.
func (r samlApps) Delete(ctx context.Context, tenantID, id string) error {
	n, err := r.s.exec(ctx, r.s.db, `DELETE FROM saml_apps WHERE tenant_id = $1 AND id = $2`,
		tenantID, clientKey(id))
	if err == nil && n == 0 {
		err = model.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("delete saml app: %w", err)
	}
	return nil
}

func scanSAMLApp(sc scanner) (model.SAMLApp, error) {
	var a model.SAMLApp
	var acs, groups string
	var updated, created int64
	err := sc.Scan(&a.ID, &a.TenantID, &a.Name, &a.EntityID, &acs, &a.SLOURL, &a.SigningCert,
		&a.NameIDFormat, &a.AllMembers, &groups, &a.RelayState, &a.MetadataURL, &updated, &created)
	if err != nil {
		return model.SAMLApp{}, err
	}
	a.UpdatedAt, a.CreatedAt = fromMicros(updated), fromMicros(created)
	if a.ACSURLs, err = parseList(acs); err != nil {
		return model.SAMLApp{}, err
	}
	a.PermittedGroups, err = parseList(groups)
	return a, err
}
