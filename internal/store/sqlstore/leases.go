package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/guildgate/guildgate/internal/store"
)

// leases implements store.Leases with one row per lease.
type leases struct{ s *Store }

var errBadLease = errors.New("a lease needs a name, a holder and a positive TTL")

// Acquire is a single upsert, so there is no read-then-write window for two
// replicas to slip through. A missing row is inserted; an existing one is
// overwritten only when the WHERE holds (ours, or expired). Concurrent
// inserts of a missing row meet on the primary key: PostgreSQL makes the
// loser wait for the winner's commit and then evaluates the WHERE against
// the winner's row, and SQLite runs the statements one after the other, so
// either way exactly one racer changes a row and the others change none.
// Both databases count a row taken or renewed as one row affected and a
// conflict whose WHERE failed as none.
func (r leases) Acquire(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, error) {
	if name == "" || holder == "" || ttl <= 0 {
		return false, fmt.Errorf("acquire lease: %w", errBadLease)
	}
	n, err := r.s.exec(ctx, r.s.db, `INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE leases.holder = excluded.holder OR leases.expires_at <= $4`,
		name, holder, micros(now.Add(ttl)), micros(now))
	if err != nil {
		return false, fmt.Errorf("acquire lease %s: %w", name, err)
	}
	return n == 1, nil
}

// Release deletes the row only when holder still holds it, so a replica
// whose lease already passed on can never free its successor's.
func (r leases) Release(ctx context.Context, name, holder string) error {
	if _, err := r.s.exec(ctx, r.s.db, `DELETE FROM leases WHERE name = $1 AND holder = $2`, name, holder); err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}

func (r leases) Get(ctx context.Context, name string) (store.Lease, error) {
	l := store.Lease{Name: name}
	var expires int64
	err := r.s.db.QueryRowContext(ctx, `SELECT holder, expires_at FROM leases WHERE name = $1`, name).
		Scan(&l.Holder, &expires)
	if err != nil {
		return store.Lease{}, fmt.Errorf("get lease %s: %w", name, notFound(err))
	}
	l.ExpiresAt = fromMicros(expires)
	return l, nil
}
