package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// ConsumeAccess and UseAccess read, of the member, only what
// store.RedeemAccess holds (TokenAccess's columns, tokenaccess.go): 10
// columns instead of 15, without the password hash, admin flag and
// created_at. Columns whose value the caller already has are not read
// either: the member's id is the grant's member_id (the join's key), the
// grant's is the code's or token's grant_id, and every tenant_id is the
// one asked for. Groups are read as id and name only (2 columns instead of
// 6). Every column costs on each call, in SQLite's column calls, the
// driver's decoding and database/sql's conversion.
//
// The joins are LEFT ones (code_access.go), so the member's and grant's NOT
// NULL columns are read through COALESCE, and the first column says
// whether the member was found.
const redeemAccessCols = `m.id IS NOT NULL, COALESCE(m.email, ''), COALESCE(m.email_verified, false),
	COALESCE(m.name, ''), COALESCE(m.given_name, ''), COALESCE(m.family_name, ''), COALESCE(m.legacy_id, ''),
	COALESCE(m.status, ''), COALESCE(m.disabled, false), COALESCE(m.language, ''), COALESCE(m.updated_at, 0),
	COALESCE(gt.client_id, ''), gt.member_id, gt.session_id, COALESCE(gt.scopes, ''), COALESCE(gt.auth_time, 0),
	COALESCE(gt.created_at, 0), COALESCE(gt.expires_at, 0), gt.revoked_at, COALESCE(gt.amr, '')`

// redeemGroupCols are the group's columns RedeemAccess keeps.
const redeemGroupCols = `g.id, g.name`

// redeemRow is one row of ConsumeAccess's or UseAccess's read, its
// destinations built once per call, as tokenAccessRow's are, so that a row
// costs one Scan and no slice of its own: redeemAccessCols, then the
// code's or token's columns, then the group's when asked for.
type redeemRow struct {
	found   bool
	member  model.Member
	status  string
	updated int64
	grant   grantRow
	group   struct{ id, name sql.NullString }
	groups  []model.Group
	dest    []any
}

// newRedeemRow builds a row whose destinations are redeemAccessCols',
// then item (pointers into the caller's code or token row), then the
// group's when withGroups.
func newRedeemRow(withGroups bool, item ...any) *redeemRow {
	r := &redeemRow{}
	m, g := &r.member, &r.grant
	r.dest = make([]any, 0, 22+len(item))
	r.dest = append(r.dest, &r.found, &m.Email, &m.EmailVerified, &m.Name, &m.GivenName, &m.FamilyName,
		&m.LegacyID, &r.status, &m.Disabled, &m.Language, &r.updated,
		&g.g.ClientID, &g.member, &g.session, &g.scopes, &g.auth, &g.created, &g.expires, &g.revoked, &g.amr)
	r.dest = append(r.dest, item...)
	if withGroups {
		r.dest = append(r.dest, &r.group.id, &r.group.name)
	}
	return r
}

// scan reads the statement's rows: the member, grant and item repeat on
// each, the group differs (NULL on the one row of a member without
// groups). read is false when there was no row.
func (r *redeemRow) scan(rows *sql.Rows) (read bool, err error) {
	for rows.Next() {
		if err := rows.Scan(r.dest...); err != nil {
			return false, err
		}
		read = true
		if r.group.id.Valid {
			r.groups = append(r.groups, model.Group{ID: r.group.id.String, Name: r.group.name.String})
		}
	}
	return read, rows.Err()
}

// access is what scan read of grantID, a grant of tenantID: nil when the
// grant or its member was not found.
func (r *redeemRow) access(tenantID, grantID string) (*store.RedeemAccess, error) {
	if !r.found {
		return nil, nil
	}
	r.grant.g.ID, r.grant.g.TenantID = grantID, tenantID
	g, err := r.grant.grant()
	if err != nil {
		return nil, err
	}
	m := r.member
	m.ID, m.TenantID = g.MemberID, tenantID
	m.Status, m.UpdatedAt = model.MemberStatus(r.status), fromMicros(r.updated)
	return &store.RedeemAccess{Grant: g, Member: m, Groups: r.groups}, nil
}

// redeemKind is one kind of value redeemed once (an authorization code, a
// refresh token): its table, the column a redemption sets, and the
// statements that set it and read the row with its grant and member
// (code_access.go): PostgreSQL's UPDATE … RETURNING in a CTE, SQLite's
// SELECT after markOnce, each without and with groups.
type redeemKind struct {
	table, mark string
	queries     [2][2]string // [postgres][withGroups]
}

// newRedeemKind builds the statements of table, whose rows are read as
// alias: cols are all of its columns (RETURNING), item those read, aliased.
func newRedeemKind(table, alias, mark, cols, item string) redeemKind {
	joins := `
	LEFT JOIN grants gt ON gt.tenant_id = ` + alias + `.tenant_id AND gt.id = ` + alias + `.grant_id
	LEFT JOIN members m ON m.tenant_id = gt.tenant_id AND m.id = gt.member_id`
	const groups = `
	LEFT JOIN group_members gm ON gm.tenant_id = m.tenant_id AND gm.member_id = m.id
	LEFT JOIN groups g ON g.tenant_id = gm.tenant_id AND g.id = gm.group_id`
	pg := `WITH ` + alias + ` AS (UPDATE ` + table + ` SET ` + mark + ` = $3
		WHERE tenant_id = $1 AND hash = $2 AND ` + mark + ` IS NULL RETURNING ` + cols + `)
	SELECT ` + redeemAccessCols + `, ` + item
	sqlite := `SELECT ` + unnamed(redeemAccessCols+`, `+item)
	where := `
	WHERE ` + alias + `.tenant_id = $1 AND ` + alias + `.hash = $2`
	k := redeemKind{table: table, mark: mark}
	k.queries[1][0] = pg + ` FROM ` + alias + joins
	k.queries[1][1] = pg + `, ` + redeemGroupCols + ` FROM ` + alias + joins + groups + accessGroupsOrder
	k.queries[0][0] = sqlite + ` FROM ` + table + ` ` + alias + joins + where
	k.queries[0][1] = sqlite + `, ` + unnamed(redeemGroupCols) + ` FROM ` + table + ` ` + alias + joins + groups + where + accessGroupsOrder
	return k
}

// unnamed gives each of the comma-separated expressions of cols the name
// "_" (AS _), and writes a bare column "+c" instead of "c". The SQLite
// driver copies every result column's name and declared type into Go
// strings at every query (its Columns and ColumnTypes, which nothing here
// asks for): the name of an expression is its text, such as
// "COALESCE(m.disabled, false)", and a bare column's declared type is
// "TEXT" or "INTEGER", strings allocated per column per redemption. A
// one-byte name is no allocation, and an expression has no declared type;
// unary + is one over a bare column that gives its value as it is (SQLite:
// "a no-op … the same value as the operand"). Columns are scanned by
// position, so neither name nor declared type matters.
func unnamed(cols string) string {
	var b strings.Builder
	depth, start := 0, 0
	for i := 0; i <= len(cols); i++ {
		switch {
		case i < len(cols) && cols[i] == '(':
			depth++
		case i < len(cols) && cols[i] == ')':
			depth--
		case i == len(cols) || cols[i] == ',' && depth == 0:
			if start > 0 {
				b.WriteByte(',')
			}
			expr := strings.TrimRight(cols[start:i], " \n\t")
			lead := len(expr) - len(strings.TrimLeft(expr, " \n\t"))
			b.WriteString(expr[:lead])
			if isColumn(expr[lead:]) {
				b.WriteByte('+')
			}
			b.WriteString(expr[lead:])
			b.WriteString(" AS _")
			start = i + 1
		}
	}
	return b.String()
}

// isColumn reports whether e is a bare qualified column, "alias.column".
func isColumn(e string) bool {
	alias, col, ok := strings.Cut(e, ".")
	return ok && isName(alias) && isName(col)
}

func isName(s string) bool {
	for _, c := range s {
		if c != '_' && (c < 'a' || c > 'z') {
			return false
		}
	}
	return s != ""
}

func (k redeemKind) query(postgres, withGroups bool) string {
	return k.queries[b2i(postgres)][b2i(withGroups)]
}

// redeem is ConsumeAccess's and UseAccess's common path: it marks the row
// of tenantID and hash used at at and reads it, into item (pointers into
// the caller's code or token row) and the returned row, with its grant and
// member (and groups). first is false when this call did not mark it (the
// caller then reads it as stored); an unknown row is ErrNotFound on SQLite
// (markOnce) and not first on PostgreSQL.
func redeem(ctx context.Context, s *Store, k redeemKind, tenantID, hash string, at time.Time, withGroups bool, item ...any) (row *redeemRow, first bool, err error) {
	if at.IsZero() {
		return nil, false, errZeroTime
	}
	postgres := s.d.name == postgresDialect.name
	args := []any{tenantID, hash}
	if postgres {
		args = append(args, micros(at))
	} else if first, err := markOnce(ctx, s, k.table, k.mark, tenantID, hash, at); err != nil || !first {
		return nil, false, err
	}
	row = newRedeemRow(withGroups, item...)
	rows, err := s.db.QueryContext(ctx, k.query(postgres, withGroups), args...)
	if err != nil {
		return nil, false, err
	}
	read, err := row.scan(rows)
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	switch {
	case err != nil:
		return nil, false, err
	case !read && !postgres: // the row this transaction has just marked; only a broken store loses it
		return nil, false, errors.New("the marked row was not read back")
	}
	return row, read, nil
}
