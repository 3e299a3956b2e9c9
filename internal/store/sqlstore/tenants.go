package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/guildgate/guildgate/internal/model"
)

// tenants implements store.Tenants. A tenant's hosts live in tenant_hosts,
// the issuer's host flagged is_issuer, so the database rejects a host that a
// second tenant claims in either role. Hosts are stored lower-cased and as a
// set: a repeat, or the issuer's own host listed again, is dropped.
type tenants struct{ s *Store }

const tenantCols = `id, slug, name, issuer, after_logout_url, created_at, updated_at, default_language,
	primary_color, support_url, privacy_url, sign_in_message, logo_type, logo_hash`

func (r tenants) Create(ctx context.Context, t model.Tenant) error {
	err := r.s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := r.s.exec(ctx, tx, `INSERT INTO tenants (`+tenantCols+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			t.ID, t.Slug, t.Name, t.Issuer, t.AfterLogoutURL, micros(t.CreatedAt), micros(t.UpdatedAt), t.DefaultLanguage,
			t.PrimaryColor, t.SupportURL, t.PrivacyURL, t.SignInMessage, t.LogoType, t.LogoHash)
		if err != nil {
			return err
		}
		return r.writeHosts(ctx, tx, t)
	})
	if err != nil {
		return fmt.Errorf("create tenant: %w", err)
	}
	return nil
}

func (r tenants) Get(ctx context.Context, id string) (model.Tenant, error) {
	t, err := r.get(ctx, r.s.db, `WHERE id = $1`, id)
	if err != nil {
		return model.Tenant{}, fmt.Errorf("get tenant: %w", err)
	}
	return t, nil
}

func (r tenants) GetBySlug(ctx context.Context, slug string) (model.Tenant, error) {
	t, err := r.get(ctx, r.s.db, `WHERE slug = $1`, slug)
	if err != nil {
		return model.Tenant{}, fmt.Errorf("get tenant by slug: %w", err)
	}
	return t, nil
}

func (r tenants) GetByHost(ctx context.Context, host string) (model.Tenant, error) {
	t, err := r.get(ctx, r.s.db,
		`WHERE id = (SELECT tenant_id FROM tenant_hosts WHERE host = $1)`, strings.ToLower(host))
	if err != nil {
		return model.Tenant{}, fmt.Errorf("get tenant by host: %w", err)
	}
	return t, nil
}

func (r tenants) List(ctx context.Context) ([]model.Tenant, error) {
	hosts, err := r.allHosts(ctx)
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	rows, err := r.s.db.QueryContext(ctx, `SELECT `+tenantCols+` FROM tenants ORDER BY slug`)
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	defer rows.Close()
	var out []model.Tenant
	for rows.Next() {
		t, err := scanTenant(rows)
		if err != nil {
			return nil, fmt.Errorf("list tenants: %w", err)
		}
		t.Hosts = hosts[t.ID]
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	return out, nil
}

// allHosts maps tenant id to extra hosts in one query, so List costs two
// queries however many tenants there are.
func (r tenants) allHosts(ctx context.Context) (map[string][]string, error) {
	rows, err := r.s.db.QueryContext(ctx, `SELECT tenant_id, host FROM tenant_hosts
		WHERE NOT is_issuer ORDER BY tenant_id, position`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var id, host string
		if err := rows.Scan(&id, &host); err != nil {
			return nil, err
		}
		out[id] = append(out[id], host)
	}
	return out, rows.Err()
}

func (r tenants) Update(ctx context.Context, id string, fn func(model.Tenant) (model.Tenant, error)) (model.Tenant, error) {
	get := func(tx *sql.Tx, lock string) (model.Tenant, error) { return r.get(ctx, tx, `WHERE id = $1`+lock, id) }
	return updateRow(ctx, r.s, "tenant", func(tx *sql.Tx) (model.Tenant, error) { return get(tx, r.s.d.forUpdate) }, fn,
		func(old, t model.Tenant) bool { return t.ID != old.ID || !t.CreatedAt.Equal(old.CreatedAt) },
		func(tx *sql.Tx, t model.Tenant) (model.Tenant, error) {
			if err := r.write(ctx, tx, t); err != nil {
				return model.Tenant{}, err
			}
			return get(tx, "")
		})
}

func (r tenants) write(ctx context.Context, tx *sql.Tx, t model.Tenant) error {
	_, err := r.s.exec(ctx, tx, `UPDATE tenants SET slug = $2, name = $3, issuer = $4,
		after_logout_url = $5, updated_at = $6, default_language = $7, primary_color = $8, support_url = $9,
		privacy_url = $10, sign_in_message = $11, logo_type = $12, logo_hash = $13 WHERE id = $1`,
		t.ID, t.Slug, t.Name, t.Issuer, t.AfterLogoutURL, micros(t.UpdatedAt), t.DefaultLanguage,
		t.PrimaryColor, t.SupportURL, t.PrivacyURL, t.SignInMessage, t.LogoType, t.LogoHash)
	if err != nil {
		return err
	}
	if _, err := r.s.exec(ctx, tx, `DELETE FROM tenant_hosts WHERE tenant_id = $1`, t.ID); err != nil {
		return err
	}
	return r.writeHosts(ctx, tx, t)
}

// writeHosts inserts the issuer's host and the extra hosts; a host another
// tenant holds fails the primary key and so becomes model.ErrConflict.
func (r tenants) writeHosts(ctx context.Context, tx *sql.Tx, t model.Tenant) error {
	issuerHost, err := hostOf(t.Issuer)
	if err != nil {
		return err
	}
	seen := map[string]bool{"": true}
	add := func(host string, isIssuer bool, pos int) error {
		if seen[host] {
			return nil
		}
		seen[host] = true
		_, err := r.s.exec(ctx, tx, `INSERT INTO tenant_hosts (host, tenant_id, is_issuer, position)
			VALUES ($1, $2, $3, $4)`, host, t.ID, isIssuer, pos)
		return err
	}
	if err := add(issuerHost, true, 0); err != nil {
		return err
	}
	for i, h := range t.Hosts {
		if err := add(strings.ToLower(h), false, i+1); err != nil {
			return err
		}
	}
	return nil
}

// hostOf is the lower-cased host of an issuer URL without its port; an empty
// issuer claims no host.
func hostOf(issuer string) (string, error) {
	if issuer == "" {
		return "", nil
	}
	u, err := url.Parse(issuer)
	if err != nil || u.Hostname() == "" {
		return "", fmt.Errorf("issuer %q has no host", issuer)
	}
	return strings.ToLower(u.Hostname()), nil
}

// get reads one tenant and its extra hosts; where must select at most one row.
func (r tenants) get(ctx context.Context, q querier, where string, arg any) (model.Tenant, error) {
	t, err := scanTenant(q.QueryRowContext(ctx, `SELECT `+tenantCols+` FROM tenants `+where, arg))
	if err != nil {
		return model.Tenant{}, notFound(err)
	}
	if t.Hosts, err = r.hosts(ctx, q, t.ID); err != nil {
		return model.Tenant{}, err
	}
	return t, nil
}

func (r tenants) hosts(ctx context.Context, q querier, tenantID string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT host FROM tenant_hosts
		WHERE tenant_id = $1 AND NOT is_issuer ORDER BY position`, tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var hosts []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		hosts = append(hosts, h)
	}
	return hosts, rows.Err()
}

func scanTenant(sc scanner) (model.Tenant, error) {
	var t model.Tenant
	var created, updated int64
	err := sc.Scan(&t.ID, &t.Slug, &t.Name, &t.Issuer, &t.AfterLogoutURL, &created, &updated, &t.DefaultLanguage,
		&t.PrimaryColor, &t.SupportURL, &t.PrivacyURL, &t.SignInMessage, &t.LogoType, &t.LogoHash)
	t.CreatedAt, t.UpdatedAt = fromMicros(created), fromMicros(updated)
	return t, err
}

func (r tenants) PutLogo(ctx context.Context, tenantID string, l model.Logo) error {
	return r.s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := r.s.exec(ctx, tx, `DELETE FROM tenant_logos WHERE tenant_id = $1`, tenantID); err != nil {
			return err
		}
		if len(l.Data) == 0 {
			return nil
		}
		_, err := r.s.exec(ctx, tx, `INSERT INTO tenant_logos (tenant_id, type, hash, data) VALUES ($1, $2, $3, $4)`,
			tenantID, l.Type, l.Hash, l.Data)
		return err
	})
}

func (r tenants) GetLogo(ctx context.Context, tenantID string) (model.Logo, error) {
	var l model.Logo
	err := r.s.db.QueryRowContext(ctx, `SELECT type, hash, data FROM tenant_logos WHERE tenant_id = $1`, tenantID).
		Scan(&l.Type, &l.Hash, &l.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Logo{}, model.ErrNotFound
	}
	return l, err
}
