package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// deviceAuthorizations implements store.DeviceAuthorizations.
type deviceAuthorizations struct{ s *Store }

func (s *Store) DeviceAuthorizations() store.DeviceAuthorizations { return deviceAuthorizations{s} }

const deviceCols = `device_hash, user_code_hash, tenant_id, client_id, scopes, interval_ms, status,
	member_id, grant_id, created_at, expires_at, polled_at, decided_at, consumed_at`

func (r deviceAuthorizations) Create(ctx context.Context, d model.DeviceAuthorization) error {
	_, err := r.s.exec(ctx, r.s.db, `INSERT INTO device_authorizations (`+deviceCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`, deviceArgs(d)...)
	if err != nil {
		return fmt.Errorf("create device authorization: %w", err)
	}
	return nil
}

func deviceArgs(d model.DeviceAuthorization) []any {
	return []any{d.DeviceHash, d.UserCodeHash, d.TenantID, clientKey(d.ClientID), jsonList(d.Scopes),
		d.Interval.Milliseconds(), string(d.Status), d.MemberID, d.GrantID, micros(d.CreatedAt), micros(d.ExpiresAt),
		nullMicros(d.PolledAt), nullMicros(d.DecidedAt), nullMicros(d.ConsumedAt)}
}

func (r deviceAuthorizations) Get(ctx context.Context, tenantID, deviceHash string) (model.DeviceAuthorization, error) {
	return r.get(ctx, r.s.db, `device_hash`, tenantID, deviceHash, "")
}

func (r deviceAuthorizations) GetByUserCode(ctx context.Context, tenantID, userCodeHash string) (model.DeviceAuthorization, error) {
	return r.get(ctx, r.s.db, `user_code_hash`, tenantID, userCodeHash, "")
}

// get reads one request by key column; lock is "" or the dialect's FOR UPDATE.
func (r deviceAuthorizations) get(ctx context.Context, q querier, col, tenantID, key, lock string) (model.DeviceAuthorization, error) {
	d, err := scanDevice(q.QueryRowContext(ctx, `SELECT `+deviceCols+` FROM device_authorizations
		WHERE tenant_id = $1 AND `+col+` = $2`+lock, tenantID, key))
	if err != nil {
		return model.DeviceAuthorization{}, fmt.Errorf("get device authorization: %w", notFound(err))
	}
	return d, nil
}

func (r deviceAuthorizations) Update(ctx context.Context, tenantID, deviceHash string,
	fn func(model.DeviceAuthorization) (model.DeviceAuthorization, error)) (model.DeviceAuthorization, error) {
	get := func(tx *sql.Tx, lock string) (model.DeviceAuthorization, error) {
		return r.get(ctx, tx, `device_hash`, tenantID, deviceHash, lock)
	}
	return updateRow(ctx, r.s, "device authorization",
		func(tx *sql.Tx) (model.DeviceAuthorization, error) { return get(tx, r.s.d.forUpdate) }, fn,
		func(old, d model.DeviceAuthorization) bool {
			return d.DeviceHash != old.DeviceHash || d.UserCodeHash != old.UserCodeHash || d.TenantID != old.TenantID ||
				clientKey(d.ClientID) != old.ClientID || !d.CreatedAt.Equal(old.CreatedAt)
		},
		func(tx *sql.Tx, d model.DeviceAuthorization) (model.DeviceAuthorization, error) {
			_, err := r.s.exec(ctx, tx, `UPDATE device_authorizations SET scopes = $5, interval_ms = $6, status = $7,
			member_id = $8, grant_id = $9, expires_at = $11, polled_at = $12, decided_at = $13, consumed_at = $14
			WHERE device_hash = $1 AND tenant_id = $3 AND user_code_hash = $2 AND client_id = $4 AND created_at = $10`,
				deviceArgs(d)...)
			if err != nil {
				return model.DeviceAuthorization{}, err
			}
			return get(tx, "")
		})
}

// DeleteExpired spans every tenant: it is the background sweeper's job.
func (r deviceAuthorizations) DeleteExpired(ctx context.Context, before time.Time) (int64, error) {
	return deleteExpired(ctx, r.s, "device_authorizations", "device authorizations", before)
}

func scanDevice(sc scanner) (model.DeviceAuthorization, error) {
	var d model.DeviceAuthorization
	var scopes, status string
	var intervalMS, created, expires int64
	var polled, decided, consumed sql.NullInt64
	err := sc.Scan(&d.DeviceHash, &d.UserCodeHash, &d.TenantID, &d.ClientID, &scopes, &intervalMS, &status,
		&d.MemberID, &d.GrantID, &created, &expires, &polled, &decided, &consumed)
	if err != nil {
		return model.DeviceAuthorization{}, err
	}
	d.Interval, d.Status = time.Duration(intervalMS)*time.Millisecond, model.DeviceStatus(status)
	d.CreatedAt, d.ExpiresAt = fromMicros(created), fromMicros(expires)
	d.PolledAt, d.DecidedAt, d.ConsumedAt = fromNullMicros(polled), fromNullMicros(decided), fromNullMicros(consumed)
	d.Scopes, err = parseList(scopes)
	return d, err
}
