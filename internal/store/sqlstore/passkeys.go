package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// passkeys implements store.Passkeys. A use is one conditional UPDATE on
// the signature counter, whose affected-row count says whether it advanced.
type passkeys struct{ s *Store }

func (s *Store) Passkeys() store.Passkeys { return passkeys{s} }

const passkeyColumns = `tenant_id, id, member_id, name, record, sign_count, created_at, last_used_at`

func (r passkeys) AddPasskey(ctx context.Context, p model.Passkey) error {
	_, err := r.s.exec(ctx, r.s.db, `INSERT INTO member_passkeys (`+passkeyColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, p.TenantID, p.ID, p.MemberID, p.Name, string(p.Record),
		int64(p.SignCount), micros(p.CreatedAt), usedMicros(p.LastUsedAt))
	if err != nil {
		return fmt.Errorf("add passkey: %w", err)
	}
	return nil
}

func usedMicros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return micros(t)
}

func scanPasskey(sc interface{ Scan(...any) error }) (model.Passkey, error) {
	var p model.Passkey
	var record string
	var count, created, used int64
	if err := sc.Scan(&p.TenantID, &p.ID, &p.MemberID, &p.Name, &record, &count, &created, &used); err != nil {
		return model.Passkey{}, err
	}
	p.Record, p.SignCount, p.CreatedAt = []byte(record), uint32(count), fromMicros(created)
	if used != 0 {
		p.LastUsedAt = fromMicros(used)
	}
	return p, nil
}

func (r passkeys) Passkeys(ctx context.Context, tenantID, memberID string) ([]model.Passkey, error) {
	rows, err := r.s.db.QueryContext(ctx, `SELECT `+passkeyColumns+` FROM member_passkeys
		WHERE tenant_id = $1 AND member_id = $2 ORDER BY created_at, id`, tenantID, memberID)
	if err != nil {
		return nil, fmt.Errorf("list passkeys: %w", err)
	}
	defer rows.Close()
	var out []model.Passkey
	for rows.Next() {
		p, err := scanPasskey(rows)
		if err != nil {
			return nil, fmt.Errorf("list passkeys: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list passkeys: %w", err)
	}
	return out, nil
}

func (r passkeys) GetPasskey(ctx context.Context, tenantID, id string) (model.Passkey, error) {
	p, err := scanPasskey(r.s.db.QueryRowContext(ctx, `SELECT `+passkeyColumns+` FROM member_passkeys
		WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return model.Passkey{}, fmt.Errorf("get passkey: %w", notFound(err))
	}
	return p, nil
}

func (r passkeys) UsePasskey(ctx context.Context, tenantID, id string, count uint32, at time.Time) (bool, error) {
	n, err := r.s.exec(ctx, r.s.db, `UPDATE member_passkeys SET sign_count = $3, last_used_at = $4
		WHERE tenant_id = $1 AND id = $2 AND (sign_count < $3 OR (sign_count = 0 AND $3 = 0))`,
		tenantID, id, int64(count), micros(at))
	if err != nil {
		return false, fmt.Errorf("use passkey: %w", err)
	}
	return n == 1, nil
}

func (r passkeys) DeletePasskey(ctx context.Context, tenantID, memberID, id string) (bool, error) {
	n, err := r.s.exec(ctx, r.s.db, `DELETE FROM member_passkeys WHERE tenant_id = $1 AND member_id = $2 AND id = $3`,
		tenantID, memberID, id)
	if err != nil {
		return false, fmt.Errorf("delete passkey: %w", err)
	}
	return n == 1, nil
}

func (r passkeys) RenamePasskey(ctx context.Context, tenantID, memberID, id, name string) (bool, error) {
	n, err := r.s.exec(ctx, r.s.db, `UPDATE member_passkeys SET name = $4 WHERE tenant_id = $1 AND member_id = $2 AND id = $3`,
		tenantID, memberID, id, name)
	if err != nil {
		return false, fmt.Errorf("rename passkey: %w", err)
	}
	return n == 1, nil
}

func (r passkeys) DeletePasskeys(ctx context.Context, tenantID, memberID string) (int64, error) {
	n, err := r.s.exec(ctx, r.s.db, `DELETE FROM member_passkeys WHERE tenant_id = $1 AND member_id = $2`, tenantID, memberID)
	if err != nil {
		return 0, fmt.Errorf("delete passkeys: %w", err)
	}
	return n, nil
}
