package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// grants implements store.Grants. A grant goes with its client and, when it
// has one, its member (foreign keys with ON DELETE CASCADE), and takes its
// codes and refresh tokens with it. It does not go with its session: logout
// revokes the grants and deletes the session, and the revoked grant must
// outlive the session so tokens issued under it keep failing until expiry.
type grants struct{ s *Store }

const grantCols = `id, tenant_id, client_id, member_id, session_id, scopes, auth_time,
	created_at, expires_at, revoked_at, amr`

func (r grants) Create(ctx context.Context, g model.Grant) error {
	_, err := r.s.exec(r.s.heldBack(ctx), r.s.db, `INSERT INTO grants (tenant_id, id, client_id, member_id,
		session_id, scopes, auth_time, created_at, expires_at, revoked_at, amr)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		g.TenantID, g.ID, clientKey(g.ClientID), nullIfEmpty(g.MemberID), nullIfEmpty(g.SessionID),
		jsonList(g.Scopes), micros(g.AuthTime), micros(g.CreatedAt), micros(g.ExpiresAt),
		nullMicros(g.RevokedAt), jsonList(g.AMR))
	if err != nil {
		return fmt.Errorf("create grant: %w", err)
	}
	return nil
}

func (r grants) Get(ctx context.Context, tenantID, id string) (model.Grant, error) {
	g, err := scanGrant(r.s.db.QueryRowContext(ctx, `SELECT `+grantCols+` FROM grants
		WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return model.Grant{}, fmt.Errorf("get grant: %w", notFound(err))
	}
	return g, nil
}

// Revoke keeps the earlier of the stored and the new time (revokeOnce).
func (r grants) Revoke(ctx context.Context, tenantID, id string, at time.Time) error {
	return revokeOnce(ctx, r.s, "grants", "grant", tenantID, id, at)
}

// ListBySession returns the session's grants that are unrevoked and expire
// after now (a grant is dead from its ExpiresAt on), oldest first.
func (r grants) ListBySession(ctx context.Context, tenantID, sessionID string, now time.Time) ([]model.Grant, error) {
	if sessionID == "" { // grants without a session store NULL, never ""
		return nil, nil
	}
	gs, err := r.query(ctx, `SELECT `+grantCols+` FROM grants
		WHERE tenant_id = $1 AND session_id = $2 AND revoked_at IS NULL AND expires_at > $3
		ORDER BY created_at, id`, tenantID, sessionID, micros(now))
	if err != nil {
		return nil, fmt.Errorf("list grants by session: %w", err)
	}
	return gs, nil
}

func (r grants) ListByMember(ctx context.Context, tenantID, memberID string, now time.Time) ([]model.Grant, error) {
	gs, err := r.query(ctx, `SELECT `+grantCols+` FROM grants
		WHERE tenant_id = $1 AND member_id = $2 AND revoked_at IS NULL AND expires_at > $3
		ORDER BY created_at DESC, id`, tenantID, memberID, micros(now))
	if err != nil {
		return nil, fmt.Errorf("list grants by member: %w", err)
	}
	return gs, nil
}

// RevokeBySession revokes, in one statement, every grant of the session not
// yet revoked, expired or not, and returns exactly those, oldest first. Two
// logouts racing each get a disjoint set, so back-channel logout notifies a
// client once per grant.
func (r grants) RevokeBySession(ctx context.Context, tenantID, sessionID string, at time.Time) ([]model.Grant, error) {
	if at.IsZero() {
		return nil, fmt.Errorf("revoke grants by session: %w", errZeroTime)
	}
	if sessionID == "" {
		return nil, nil
	}
	gs, err := r.query(ctx, `UPDATE grants SET revoked_at = $3
		WHERE tenant_id = $1 AND session_id = $2 AND revoked_at IS NULL
		RETURNING `+grantCols, tenantID, sessionID, micros(at))
	if err != nil {
		return nil, fmt.Errorf("revoke grants by session: %w", err)
	}
	// RETURNING has no ORDER BY; sort as ListBySession does.
	slices.SortFunc(gs, func(a, b model.Grant) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return gs, nil
}

// RevokeByMember finds the member's grants through grants_member.
func (r grants) RevokeByMember(ctx context.Context, tenantID, memberID string, at time.Time) (int64, error) {
	if at.IsZero() {
		return 0, fmt.Errorf("revoke grants by member: %w", errZeroTime)
	}
	n, err := r.s.exec(ctx, r.s.db, `UPDATE grants SET revoked_at = $3
		WHERE tenant_id = $1 AND member_id = $2 AND revoked_at IS NULL`, tenantID, memberID, micros(at))
	if err != nil {
		return 0, fmt.Errorf("revoke grants by member: %w", err)
	}
	return n, nil
}

// RevokeOutsideGroups reads memberships and writes grants in one statement,
// so a member added to a group concurrently is either seen (and kept) or
// added after the revocation, never half of each.
func (r grants) RevokeOutsideGroups(ctx context.Context, tenantID, clientID, memberID string, groupIDs []string, at time.Time) (int64, error) {
	if at.IsZero() {
		return 0, fmt.Errorf("revoke grants outside groups: %w", errZeroTime)
	}
	var a args
	where := `tenant_id = ` + a.add(tenantID) + ` AND client_id = ` + a.add(clientKey(clientID)) +
		` AND member_id IS NOT NULL AND revoked_at IS NULL`
	if memberID != "" {
		where += ` AND member_id = ` + a.add(memberID)
	}
	if len(groupIDs) > 0 {
		in := make([]string, len(groupIDs))
		for i, g := range groupIDs {
			in[i] = a.add(g)
		}
		where += ` AND NOT EXISTS (SELECT 1 FROM group_members gm WHERE gm.tenant_id = grants.tenant_id
			AND gm.member_id = grants.member_id AND gm.group_id IN (` + strings.Join(in, ", ") + `))`
	}
	n, err := r.s.exec(ctx, r.s.db, `UPDATE grants SET revoked_at = `+a.add(micros(at))+` WHERE `+where, a...)
	if err != nil {
		return 0, fmt.Errorf("revoke grants outside groups: %w", err)
	}
	return n, nil
}

func (r grants) query(ctx context.Context, query string, args ...any) ([]model.Grant, error) {
	rows, err := r.s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.Grant
	for rows.Next() {
		g, err := scanGrant(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// DeleteExpired spans every tenant: it is the background sweeper's job. The
// count is of grants; their codes and refresh tokens go with them by cascade
// and are not counted.
func (r grants) DeleteExpired(ctx context.Context, before time.Time) (int64, error) {
	return deleteExpired(ctx, r.s, "grants", "grants", before)
}

func scanGrant(sc scanner) (model.Grant, error) {
	var r grantRow
	if err := sc.Scan(r.dest()...); err != nil {
		return model.Grant{}, err
	}
	return r.grant()
}

// grantRow holds grantCols as scanned, so a query that reads a grant among
// other columns (Access) decodes it like scanGrant.
type grantRow struct {
	g                      model.Grant
	member, session        sql.NullString
	scopes, amr            string
	auth, created, expires int64
	revoked                sql.NullInt64
}

func (r *grantRow) dest() []any {
	return []any{&r.g.ID, &r.g.TenantID, &r.g.ClientID, &r.member, &r.session, &r.scopes, &r.auth,
		&r.created, &r.expires, &r.revoked, &r.amr}
}

func (r *grantRow) grant() (model.Grant, error) {
	g := r.g
	g.MemberID, g.SessionID = r.member.String, r.session.String
	g.AuthTime, g.CreatedAt, g.ExpiresAt = fromMicros(r.auth), fromMicros(r.created), fromMicros(r.expires)
	g.RevokedAt = fromNullMicros(r.revoked)
	var err error
	if g.AMR, err = parseList(r.amr); err != nil {
		return model.Grant{}, err
	}
	g.Scopes, err = parseList(r.scopes)
	return g, err
}
