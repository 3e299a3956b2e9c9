package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/guildgate/guildgate/internal/model"
)

// clients implements store.Clients. Ids are lower-cased on every call (see
// clientKey). Every write bumps the "clients" version in its own transaction,
// so a replica's cache is never newer-looking than the data it holds.
type clients struct{ s *Store }

// clientCols is the read order; clientArgs the write order, where $1 and $2
// are the key and $21 created_at, which only an insert writes.
const clientCols = `id, tenant_id, name, redirect_uris, post_logout_redirect_uris,
	permitted_groups, id_token_alg, backchannel_logout_uri, grant_types, public,
	groups_claim, secrets, all_members, omit_authorization_response_iss, require_par, require_dpop,
	token_auth_method, jwks_uri, jwks, updated_at, created_at`

func clientArgs(c model.Client) []any {
	return []any{c.TenantID, clientKey(c.ID), c.Name, jsonList(c.RedirectURIs),
		jsonList(c.PostLogoutRedirectURIs), jsonList(c.PermittedGroups), c.IDTokenAlg,
		c.BackchannelLogoutURI, jsonList(c.GrantTypes), c.Public, c.GroupsClaim,
		encodeSecrets(c.Secrets), c.AllMembers, c.OmitAuthorizationResponseIss, c.RequirePAR, c.RequireDPoP,
		c.TokenAuthMethod, c.JWKSURI, c.JWKS, micros(c.UpdatedAt), micros(c.CreatedAt)}
}

func (r clients) Create(ctx context.Context, c model.Client) error {
	err := r.s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := r.s.exec(ctx, tx, `INSERT INTO clients (tenant_id, id, name, redirect_uris,
			post_logout_redirect_uris, permitted_groups, id_token_alg, backchannel_logout_uri,
			grant_types, public, groups_claim, secrets, all_members, omit_authorization_response_iss, require_par,
			require_dpop, token_auth_method, jwks_uri, jwks, updated_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`, clientArgs(c)...)
		if err != nil {
			return err
		}
		return r.s.bumpVersion(ctx, tx, clientsVersion)
	})
	if err != nil {
		return fmt.Errorf("create client: %w", err)
	}
	return nil
}

func (r clients) Get(ctx context.Context, tenantID, id string) (model.Client, error) {
	c, err := r.get(ctx, r.s.db, tenantID, id, "")
	if err != nil {
		return model.Client{}, fmt.Errorf("get client: %w", err)
	}
	return c, nil
}

func (r clients) get(ctx context.Context, q querier, tenantID, id, lock string) (model.Client, error) {
	c, err := scanClient(q.QueryRowContext(ctx, `SELECT `+clientCols+` FROM clients
		WHERE tenant_id = $1 AND id = $2`+lock, tenantID, clientKey(id)))
	return c, notFound(err)
}

// List returns the tenant's clients in the order they were registered.
func (r clients) List(ctx context.Context, tenantID string) ([]model.Client, error) {
	cs, err := r.list(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list clients: %w", err)
	}
	return cs, nil
}

// ListByGroup filters the tenant's clients in Go. A tenant has a handful of
// clients, so reading them all through the primary key costs less than a
// second table of (client, group) pairs to keep in step, and it needs no JSON
// operator that SQLite and PostgreSQL spell differently. Clients open to
// every member (no permitted groups) do not name the group and are not
// returned.
func (r clients) ListByGroup(ctx context.Context, tenantID, groupID string) ([]model.Client, error) {
	all, err := r.list(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list clients by group: %w", err)
	}
	var out []model.Client
	for _, c := range all {
		if slices.Contains(c.PermittedGroups, groupID) {
			out = append(out, c)
		}
	}
	return out, nil
}

func (r clients) list(ctx context.Context, tenantID string) ([]model.Client, error) {
	rows, err := r.s.db.QueryContext(ctx, `SELECT `+clientCols+` FROM clients
		WHERE tenant_id = $1 ORDER BY created_at, id`, tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.Client
	for rows.Next() {
		c, err := scanClient(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (r clients) Update(ctx context.Context, tenantID, id string, fn func(model.Client) (model.Client, error)) (model.Client, error) {
	get := func(tx *sql.Tx, lock string) (model.Client, error) { return r.get(ctx, tx, tenantID, id, lock) }
	return updateRow(ctx, r.s, "client", func(tx *sql.Tx) (model.Client, error) { return get(tx, r.s.d.forUpdate) }, fn,
		func(old, c model.Client) bool {
			return c.ID != old.ID || c.TenantID != old.TenantID || !c.CreatedAt.Equal(old.CreatedAt)
		},
		func(tx *sql.Tx, c model.Client) (model.Client, error) {
			_, err := r.s.exec(ctx, tx, `UPDATE clients SET name = $3, redirect_uris = $4,
			post_logout_redirect_uris = $5, permitted_groups = $6, id_token_alg = $7,
			backchannel_logout_uri = $8, grant_types = $9, public = $10, groups_claim = $11,
			secrets = $12, all_members = $13, omit_authorization_response_iss = $14, require_par = $15,
			require_dpop = $16, token_auth_method = $17, jwks_uri = $18, jwks = $19, updated_at = $20
			WHERE tenant_id = $1 AND id = $2`, clientArgs(c)[:20]...)
			if err != nil {
				return model.Client{}, err
			}
			if err := r.s.bumpVersion(ctx, tx, clientsVersion); err != nil {
				return model.Client{}, err
			}
			return get(tx, "")
		})
}

// Delete removes the client and, by cascade, its grants with their codes and
// refresh tokens: nothing issued to a deleted client can be redeemed.
func (r clients) Delete(ctx context.Context, tenantID, id string) error {
	err := r.s.inTx(ctx, func(tx *sql.Tx) error {
		n, err := r.s.exec(ctx, tx, `DELETE FROM clients WHERE tenant_id = $1 AND id = $2`,
			tenantID, clientKey(id))
		if err == nil && n == 0 {
			err = model.ErrNotFound
		}
		if err != nil {
			return err
		}
		return r.s.bumpVersion(ctx, tx, clientsVersion)
	})
	if err != nil {
		return fmt.Errorf("delete client: %w", err)
	}
	return nil
}

func (r clients) Version(ctx context.Context) (int64, error) {
	return r.s.version(ctx, clientsVersion)
}

func scanClient(sc scanner) (model.Client, error) {
	var c model.Client
	var redirects, postLogout, groups, grantTypes, secrets string
	var updated, created int64
	err := sc.Scan(&c.ID, &c.TenantID, &c.Name, &redirects, &postLogout, &groups, &c.IDTokenAlg,
		&c.BackchannelLogoutURI, &grantTypes, &c.Public, &c.GroupsClaim, &secrets, &c.AllMembers,
		&c.OmitAuthorizationResponseIss, &c.RequirePAR, &c.RequireDPoP, &c.TokenAuthMethod, &c.JWKSURI, &c.JWKS,
		&updated, &created)
	if err != nil {
		return model.Client{}, err
	}
	c.UpdatedAt, c.CreatedAt = fromMicros(updated), fromMicros(created)
	for _, l := range []struct {
		dst *[]string
		src string
	}{{&c.RedirectURIs, redirects}, {&c.PostLogoutRedirectURIs, postLogout},
		{&c.PermittedGroups, groups}, {&c.GrantTypes, grantTypes}} {
		if *l.dst, err = parseList(l.src); err != nil {
			return model.Client{}, err
		}
	}
	c.Secrets, err = decodeSecrets(secrets)
	return c, err
}

// storedSecret is one element of the secrets column. Times are unix
// microseconds like every other column; a zero ExpiresAt ("current") is
// stored as micros of the zero time, so it cannot be confused with the epoch.
type storedSecret struct {
	Ciphertext string `json:"ciphertext"`
	CreatedAt  int64  `json:"created_at"`
	ExpiresAt  int64  `json:"expires_at"`
}

func encodeSecrets(ss []model.ClientSecret) string {
	out := make([]storedSecret, len(ss))
	for i, s := range ss {
		out[i] = storedSecret{s.Ciphertext, micros(s.CreatedAt), micros(s.ExpiresAt)}
	}
	b, _ := json.Marshal(out) // strings and integers always marshal
	return string(b)
}

// decodeSecrets keeps the stored order (newest first, as the model says) and
// reads an empty list back as nil, like every list column.
func decodeSecrets(s string) ([]model.ClientSecret, error) {
	var in []storedSecret
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return nil, fmt.Errorf("secrets column: %w", err)
	}
	var out []model.ClientSecret
	for _, v := range in {
		out = append(out, model.ClientSecret{Ciphertext: v.Ciphertext,
			CreatedAt: fromMicros(v.CreatedAt), ExpiresAt: fromMicros(v.ExpiresAt)})
	}
	return out, nil
}
