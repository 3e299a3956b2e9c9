package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/guildgate/guildgate/internal/model"
)

// connections implements store.Connections. A connection's email domains
// live in connection_domains, whose primary key (tenant, domain) lets the
// database refuse a domain that a second connection of the tenant claims.
type connections struct{ s *Store }

// connectionCols is the read order; connectionArgs the write order, where $1
// and $2 are the key and $25 created_at, which only an insert writes.
const connectionCols = `tenant_id, id, name, discovery_url, issuer, authorization_url, token_url,
	jwks_url, userinfo_url, client_id, client_secret, scopes, claims, group_map, jit, jit_status,
	trust_email, issuer_mode, entra_tenants, auth_method, fetch_userinfo, show_button,
	email_fallback_claims, updated_at, created_at`

func connectionArgs(c model.Connection) []any {
	return []any{c.TenantID, c.ID, c.Name, c.DiscoveryURL, c.Issuer, c.AuthorizationURL, c.TokenURL,
		c.JWKSURL, c.UserinfoURL, c.ClientID, c.ClientSecret, jsonList(c.Scopes), jsonValue(c.Claims),
		jsonValue(groupMapOrEmpty(c.GroupMap)), c.JIT, string(c.JITStatus), c.TrustEmail, c.IssuerMode,
		entraTenantsJSON(c.EntraTenants), c.AuthMethod, c.FetchUserinfo, c.ShowButton,
		jsonList(c.EmailFallbackClaims), micros(c.UpdatedAt), micros(c.CreatedAt)}
}

func (r connections) Create(ctx context.Context, c model.Connection) error {
	err := r.s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := r.s.exec(ctx, tx, `INSERT INTO connections (`+connectionCols+`) VALUES ($1, $2, $3,
			$4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
			$23, $24, $25)`, connectionArgs(c)...)
		if err != nil {
			return err
		}
		return r.writeDomains(ctx, tx, c)
	})
	if err != nil {
		return fmt.Errorf("create connection: %w", err)
	}
	return nil
}

func (r connections) Get(ctx context.Context, tenantID, id string) (model.Connection, error) {
	c, err := r.get(ctx, r.s.db, tenantID, `id = $2`, id, "")
	if err != nil {
		return model.Connection{}, fmt.Errorf("get connection: %w", err)
	}
	return c, nil
}

func (r connections) GetByDomain(ctx context.Context, tenantID, domain string) (model.Connection, error) {
	c, err := r.get(ctx, r.s.db, tenantID, `id = (SELECT connection_id FROM connection_domains
		WHERE tenant_id = $1 AND domain = $2)`, norm(domain), "")
	if err != nil {
		return model.Connection{}, fmt.Errorf("get connection by domain: %w", err)
	}
	return c, nil
}

// get reads one connection and its domains; where must select at most one
// row of tenant $1 with $2.
func (r connections) get(ctx context.Context, q querier, tenantID, where, arg, lock string) (model.Connection, error) {
	c, err := scanConnection(q.QueryRowContext(ctx, `SELECT `+connectionCols+` FROM connections
		WHERE tenant_id = $1 AND `+where+lock, tenantID, arg))
	if err != nil {
		return model.Connection{}, notFound(err)
	}
	all, err := r.domains(ctx, q, tenantID, c.ID)
	c.Domains = all[c.ID]
	return c, err
}

func (r connections) List(ctx context.Context, tenantID string) ([]model.Connection, error) {
	doms, err := r.domains(ctx, r.s.db, tenantID, "")
	if err != nil {
		return nil, fmt.Errorf("list connections: %w", err)
	}
	rows, err := r.s.db.QueryContext(ctx, `SELECT `+connectionCols+` FROM connections
		WHERE tenant_id = $1 ORDER BY created_at, id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list connections: %w", err)
	}
	defer rows.Close()
	var out []model.Connection
	for rows.Next() {
		c, err := scanConnection(rows)
		if err != nil {
			return nil, fmt.Errorf("list connections: %w", err)
		}
		c.Domains = doms[c.ID]
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list connections: %w", err)
	}
	return out, nil
}

// domains maps connection id to its domains in order, for one connection
// or (id "") every connection of the tenant.
func (r connections) domains(ctx context.Context, q querier, tenantID, id string) (map[string][]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT connection_id, domain FROM connection_domains
		WHERE tenant_id = $1 AND ($2 = '' OR connection_id = $2) ORDER BY connection_id, position`, tenantID, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var cid, d string
		if err := rows.Scan(&cid, &d); err != nil {
			return nil, err
		}
		out[cid] = append(out[cid], d)
	}
	return out, rows.Err()
}

func (r connections) Update(ctx context.Context, tenantID, id string, fn func(model.Connection) (model.Connection, error)) (model.Connection, error) {
	get := func(tx *sql.Tx, lock string) (model.Connection, error) {
		return r.get(ctx, tx, tenantID, `id = $2`, id, lock)
	}
	return updateRow(ctx, r.s, "connection", func(tx *sql.Tx) (model.Connection, error) { return get(tx, r.s.d.forUpdate) }, fn,
		func(old, c model.Connection) bool {
			return c.ID != old.ID || c.TenantID != old.TenantID || !c.CreatedAt.Equal(old.CreatedAt)
		},
		func(tx *sql.Tx, c model.Connection) (model.Connection, error) {
			_, err := r.s.exec(ctx, tx, `UPDATE connections SET name = $3, discovery_url = $4, issuer = $5,
			authorization_url = $6, token_url = $7, jwks_url = $8, userinfo_url = $9, client_id = $10,
			client_secret = $11, scopes = $12, claims = $13, group_map = $14, jit = $15, jit_status = $16,
			trust_email = $17, issuer_mode = $18, entra_tenants = $19, auth_method = $20,
			fetch_userinfo = $21, show_button = $22, email_fallback_claims = $23, updated_at = $24
			WHERE tenant_id = $1 AND id = $2`, connectionArgs(c)[:24]...)
			if err != nil {
				return model.Connection{}, err
			}
			if _, err := r.s.exec(ctx, tx, `DELETE FROM connection_domains WHERE tenant_id = $1
			AND connection_id = $2`, tenantID, c.ID); err != nil {
				return model.Connection{}, err
			}
			if err := r.writeDomains(ctx, tx, c); err != nil {
				return model.Connection{}, err
			}
			return get(tx, "")
		})
}

// writeDomains inserts c's domains lower-cased, dropping repeats; a domain
// another connection holds fails the primary key: model.ErrConflict.
func (r connections) writeDomains(ctx context.Context, tx *sql.Tx, c model.Connection) error {
	seen := map[string]bool{"": true}
	for i, d := range c.Domains {
		d = norm(d)
		if seen[d] {
			continue
		}
		seen[d] = true
		if _, err := r.s.exec(ctx, tx, `INSERT INTO connection_domains (tenant_id, domain,
			connection_id, position) VALUES ($1, $2, $3, $4)`, c.TenantID, d, c.ID, i); err != nil {
			return err
		}
	}
	return nil
}

// Delete removes the connection and, by cascade, its domains, identities,
// round trips, setup links and upstream sessions.
func (r connections) Delete(ctx context.Context, tenantID, id string) error {
	n, err := r.s.exec(ctx, r.s.db, `DELETE FROM connections WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	if err == nil && n == 0 {
		err = model.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("delete connection: %w", err)
	}
	return nil
}

func scanConnection(sc scanner) (model.Connection, error) {
	var c model.Connection
	var scopes, claims, groupMap, status, tenants, fallback string
	var updated, created int64
	err := sc.Scan(&c.TenantID, &c.ID, &c.Name, &c.DiscoveryURL, &c.Issuer, &c.AuthorizationURL,
		&c.TokenURL, &c.JWKSURL, &c.UserinfoURL, &c.ClientID, &c.ClientSecret, &scopes, &claims,
		&groupMap, &c.JIT, &status, &c.TrustEmail, &c.IssuerMode, &tenants, &c.AuthMethod,
		&c.FetchUserinfo, &c.ShowButton, &fallback, &updated, &created)
	if err != nil {
		return model.Connection{}, err
	}
	c.JITStatus, c.UpdatedAt, c.CreatedAt = model.MemberStatus(status), fromMicros(updated), fromMicros(created)
	for _, l := range []struct {
		dst *[]string
		src string
	}{{&c.Scopes, scopes}, {&c.EmailFallbackClaims, fallback}} {
		if *l.dst, err = parseList(l.src); err != nil {
			return model.Connection{}, err
		}
	}
	if err := parseJSON(claims, &c.Claims); err != nil {
		return model.Connection{}, err
	}
	if err := parseJSON(groupMap, &c.GroupMap); err != nil {
		return model.Connection{}, err
	}
	if c.EntraTenants, err = parseEntraTenants(tenants); err != nil {
		return model.Connection{}, err
	}
	if len(c.GroupMap) == 0 {
		c.GroupMap = nil
	}
	return c, nil
}

func groupMapOrEmpty(m []model.GroupMapping) []model.GroupMapping {
	if m == nil {
		return []model.GroupMapping{}
	}
	return m
}

// entraTenantsJSON writes every tenant's domains as a list, never null.
func entraTenantsJSON(ts []model.EntraTenant) string {
	out := make([]model.EntraTenant, len(ts))
	for i, t := range ts {
		out[i] = model.EntraTenant{ID: t.ID, Domains: append([]string{}, t.Domains...)}
	}
	return jsonValue(out)
}

// parseEntraTenants reads entra_tenants back, empty lists as nil.
func parseEntraTenants(s string) ([]model.EntraTenant, error) {
	var ts []model.EntraTenant
	if err := parseJSON(s, &ts); err != nil || len(ts) == 0 {
		return nil, err
	}
	for i := range ts {
		if len(ts[i].Domains) == 0 {
			ts[i].Domains = nil
		}
	}
	return ts, nil
}
