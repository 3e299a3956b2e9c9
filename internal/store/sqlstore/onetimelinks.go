package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// oneTimeLinks implements store.OneTimeLinks. member_id is NULL for a link
// naming no member, which leaves its foreign key unchecked (as grants do);
// a set one makes the link go with its member.
type oneTimeLinks struct{ s *Store }

func (s *Store) OneTimeLinks() store.OneTimeLinks { return oneTimeLinks{s} }

const oneTimeLinkCols = `hash, tenant_id, purpose, member_id, email, created_by, created_at, expires_at, used_at`

func (r oneTimeLinks) Create(ctx context.Context, l model.OneTimeLink) error {
	_, err := r.s.exec(ctx, r.s.db, `INSERT INTO one_time_links (`+oneTimeLinkCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, l.Hash, l.TenantID, string(l.Purpose),
		nullIfEmpty(l.MemberID), nullIfEmpty(l.Email), l.CreatedBy, micros(l.CreatedAt), micros(l.ExpiresAt), nullMicros(l.UsedAt))
	if err != nil {
		return fmt.Errorf("create one-time link: %w", err)
	}
	return nil
}

func (r oneTimeLinks) Get(ctx context.Context, tenantID, hash string) (model.OneTimeLink, error) {
	l, err := scanOneTimeLink(r.s.db.QueryRowContext(ctx, `SELECT `+oneTimeLinkCols+` FROM one_time_links
		WHERE tenant_id = $1 AND hash = $2`, tenantID, hash))
	if err != nil {
		return model.OneTimeLink{}, fmt.Errorf("get one-time link: %w", notFound(err))
	}
	return l, nil
}

// Consume is consumeOnce on used_at: one UPDATE … RETURNING, so two
// replicas can never both use a link.
func (r oneTimeLinks) Consume(ctx context.Context, tenantID, hash string, at time.Time) (model.OneTimeLink, bool, error) {
	l, first, err := consumeOnce(ctx, r.s, "one_time_links", "used_at", oneTimeLinkCols, scanOneTimeLink,
		tenantID, hash, at)
	if err != nil {
		return model.OneTimeLink{}, false, fmt.Errorf("consume one-time link: %w", err)
	}
	return l, first, nil
}

func (r oneTimeLinks) DeleteUnused(ctx context.Context, tenantID string, purpose model.LinkPurpose, memberID string) (int64, error) {
	member, args := `member_id IS NULL`, []any{tenantID, string(purpose)}
	if memberID != "" {
		member, args = `member_id = $3`, append(args, memberID)
	}
	n, err := r.s.exec(ctx, r.s.db, `DELETE FROM one_time_links WHERE tenant_id = $1 AND purpose = $2
		AND `+member+` AND used_at IS NULL`, args...)
	if err != nil {
		return 0, fmt.Errorf("delete unused one-time links: %w", err)
	}
	return n, nil
}

func (r oneTimeLinks) ListUnused(ctx context.Context, tenantID string, purpose model.LinkPurpose, now time.Time,
	after string, limit int) (store.Page[model.OneTimeLink], error) {
	var a args
	where := `tenant_id = ` + a.add(tenantID) + ` AND purpose = ` + a.add(string(purpose)) +
		` AND used_at IS NULL AND expires_at > ` + a.add(micros(now))
	if after != "" {
		c, err := decodeLinkCursor(after)
		if err != nil {
			return store.Page[model.OneTimeLink]{}, err
		}
		at := a.add(c.CreatedAt)
		where += ` AND (created_at < ` + at + ` OR (created_at = ` + at + ` AND hash > ` + a.add(c.Hash) + `))`
	}
	limit = pageLimit(limit)
	rows, err := r.s.db.QueryContext(ctx, `SELECT `+oneTimeLinkCols+` FROM one_time_links
		WHERE `+where+` ORDER BY created_at DESC, hash LIMIT `+a.add(limit+1), a...)
	if err != nil {
		return store.Page[model.OneTimeLink]{}, fmt.Errorf("list unused one-time links: %w", err)
	}
	defer rows.Close()
	var p store.Page[model.OneTimeLink]
	for rows.Next() {
		if len(p.Items) == limit { // the extra row only tells that another page exists
			last := p.Items[limit-1]
			p.Next = linkCursor{CreatedAt: micros(last.CreatedAt), Hash: last.Hash}.encode()
			break
		}
		l, err := scanOneTimeLink(rows)
		if err != nil {
			return store.Page[model.OneTimeLink]{}, fmt.Errorf("list unused one-time links: %w", err)
		}
		p.Items = append(p.Items, l)
	}
	if err := rows.Err(); err != nil {
		return store.Page[model.OneTimeLink]{}, fmt.Errorf("list unused one-time links: %w", err)
	}
	return p, nil
}

// linkCursor is the position after the last link of a page (newest first).
// It is opaque to callers, who must not build one.
type linkCursor struct {
	CreatedAt int64  `json:"c"`
	Hash      string `json:"h"`
}

func (c linkCursor) encode() string {
	b, _ := json.Marshal(c) // an integer and a string cannot fail to marshal
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeLinkCursor(s string) (linkCursor, error) {
	var c linkCursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil || c.Hash == "" {
		return linkCursor{}, store.ErrInvalidCursor
	}
	return c, nil
}

func (r oneTimeLinks) DeleteExpired(ctx context.Context, before time.Time) (int64, error) {
	return deleteExpired(ctx, r.s, "one_time_links", "one-time links", before)
}

func scanOneTimeLink(sc scanner) (model.OneTimeLink, error) {
	var l model.OneTimeLink
	var purpose string
	var member, email sql.NullString
	var created, expires int64
	var used sql.NullInt64
	err := sc.Scan(&l.Hash, &l.TenantID, &purpose, &member, &email, &l.CreatedBy, &created, &expires, &used)
	l.Purpose, l.MemberID, l.Email = model.LinkPurpose(purpose), member.String, email.String
	l.CreatedAt, l.ExpiresAt, l.UsedAt = fromMicros(created), fromMicros(expires), fromNullMicros(used)
	return l, err
}
