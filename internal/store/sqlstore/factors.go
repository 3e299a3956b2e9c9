package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// factors implements store.Factors. Using a code is one conditional
// UPDATE whose affected-row count says whether this caller won.
type factors struct{ s *Store }

func (s *Store) Factors() store.Factors { return factors{s} }

func (r factors) GetTOTP(ctx context.Context, tenantID, memberID string) (model.TOTP, error) {
	t := model.TOTP{TenantID: tenantID, MemberID: memberID}
	var created int64
	err := r.s.db.QueryRowContext(ctx, `SELECT secret, last_step, created_at FROM member_totp
		WHERE tenant_id = $1 AND member_id = $2`, tenantID, memberID).Scan(&t.Secret, &t.LastStep, &created)
	if err != nil {
		return model.TOTP{}, fmt.Errorf("get totp: %w", notFound(err))
	}
	t.CreatedAt = fromMicros(created)
	return t, nil
}

// HasSecondFactor asks both tables in one statement: a sign-in asks it
// after every right password, and most members have neither.
func (r factors) HasSecondFactor(ctx context.Context, tenantID, memberID string) (bool, error) {
	var n int64
	err := r.s.db.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM member_totp WHERE tenant_id = $1 AND member_id = $2) +
		(SELECT COUNT(*) FROM member_passkeys WHERE tenant_id = $1 AND member_id = $2)`, tenantID, memberID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("has second factor: %w", err)
	}
	return n > 0, nil
}

func (r factors) EnrollTOTP(ctx context.Context, t model.TOTP, codes []string) error {
	err := r.s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := r.s.exec(ctx, tx, `INSERT INTO member_totp (tenant_id, member_id, secret, last_step, created_at)
			VALUES ($1, $2, $3, $4, $5)`, t.TenantID, t.MemberID, t.Secret, t.LastStep, micros(t.CreatedAt)); err != nil {
			return err
		}
		return r.replaceCodes(ctx, tx, t.TenantID, t.MemberID, codes)
	})
	if err != nil {
		return fmt.Errorf("enroll totp: %w", err)
	}
	return nil
}

func (r factors) replaceCodes(ctx context.Context, tx *sql.Tx, tenantID, memberID string, codes []string) error {
	if _, err := r.s.exec(ctx, tx, `DELETE FROM recovery_codes WHERE tenant_id = $1 AND member_id = $2`,
		tenantID, memberID); err != nil {
		return err
	}
	for _, h := range codes {
		if _, err := r.s.exec(ctx, tx, `INSERT INTO recovery_codes (tenant_id, member_id, hash, used_at)
			VALUES ($1, $2, $3, 0)`, tenantID, memberID, h); err != nil {
			return err
		}
	}
	return nil
}

func (r factors) UseTOTPStep(ctx context.Context, tenantID, memberID string, step int64) (bool, error) {
	n, err := r.s.exec(ctx, r.s.db, `UPDATE member_totp SET last_step = $3
		WHERE tenant_id = $1 AND member_id = $2 AND last_step < $3`, tenantID, memberID, step)
	if err != nil {
		return false, fmt.Errorf("use totp step: %w", err)
	}
	return n == 1, nil
}

func (r factors) UseRecoveryCode(ctx context.Context, tenantID, memberID, hash string, at time.Time) (bool, error) {
	n, err := r.s.exec(ctx, r.s.db, `UPDATE recovery_codes SET used_at = $4
		WHERE tenant_id = $1 AND member_id = $2 AND hash = $3 AND used_at = 0`, tenantID, memberID, hash, micros(at))
	if err != nil {
		return false, fmt.Errorf("use recovery code: %w", err)
	}
	return n == 1, nil
}

func (r factors) RecoveryCodes(ctx context.Context, tenantID, memberID string) ([]model.RecoveryCode, error) {
	rows, err := r.s.db.QueryContext(ctx, `SELECT hash, used_at FROM recovery_codes
		WHERE tenant_id = $1 AND member_id = $2 ORDER BY hash`, tenantID, memberID)
	if err != nil {
		return nil, fmt.Errorf("list recovery codes: %w", err)
	}
	defer rows.Close()
	var out []model.RecoveryCode
	for rows.Next() {
		var c model.RecoveryCode
		var used int64
		if err := rows.Scan(&c.Hash, &used); err != nil {
			return nil, fmt.Errorf("list recovery codes: %w", err)
		}
		if used != 0 {
			c.UsedAt = fromMicros(used)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list recovery codes: %w", err)
	}
	return out, nil
}

func (r factors) ReplaceRecoveryCodes(ctx context.Context, tenantID, memberID string, codes []string) error {
	err := r.s.inTx(ctx, func(tx *sql.Tx) error { return r.replaceCodes(ctx, tx, tenantID, memberID, codes) })
	if err != nil {
		return fmt.Errorf("replace recovery codes: %w", err)
	}
	return nil
}

func (r factors) DeleteTOTP(ctx context.Context, tenantID, memberID string) (bool, error) {
	var n int64
	err := r.s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if n, err = r.s.exec(ctx, tx, `DELETE FROM member_totp WHERE tenant_id = $1 AND member_id = $2`,
			tenantID, memberID); err != nil {
			return err
		}
		_, err = r.s.exec(ctx, tx, `DELETE FROM recovery_codes WHERE tenant_id = $1 AND member_id = $2`, tenantID, memberID)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("delete totp: %w", err)
	}
	return n == 1, nil
}
