package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// keys implements store.Keys. Replace is the only write: it takes the whole
// set so a rotation (next → current → retired → removed) is one decision made
// under one lock.
type keys struct{ s *Store }

const keyCols = `id, tenant_id, purpose, alg, state, private_key, public_jwk, created_at,
	activated_at, retired_at, remove_after`

func (r keys) List(ctx context.Context, tenantID string) ([]model.SigningKey, error) {
	ks, err := r.list(ctx, r.s.db, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list signing keys: %w", err)
	}
	return ks, nil
}

func (r keys) list(ctx context.Context, q querier, tenantID string) ([]model.SigningKey, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+keyCols+` FROM signing_keys
		WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC`, tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.SigningKey
	for rows.Next() {
		var k model.SigningKey
		var state, purpose string
		var created, activated, retired, removeAfter int64
		if err := rows.Scan(&k.ID, &k.TenantID, &purpose, &k.Alg, &state, &k.PrivateKey, &k.PublicJWK,
			&created, &activated, &retired, &removeAfter); err != nil {
			return nil, err
		}
		k.State, k.Purpose = model.KeyState(state), model.KeyPurpose(purpose)
		k.CreatedAt, k.ActivatedAt = fromMicros(created), fromMicros(activated)
		k.RetiredAt, k.RemoveAfter = fromMicros(retired), fromMicros(removeAfter)
		out = append(out, k)
	}
	return out, rows.Err()
}

// Replace locks the tenant row first, so two replicas rotating at once run
// one after the other and the second sees the first one's keys. fn gets a
// copy: editing it in place must not hide a change from the diff. Version is
// bumped only when a row changed, so a periodic "is rotation due?" that
// changes nothing does not invalidate every replica's cache.
func (r keys) Replace(ctx context.Context, tenantID string, fn func([]model.SigningKey) ([]model.SigningKey, error)) ([]model.SigningKey, error) {
	var out []model.SigningKey
	err := r.s.inTx(ctx, func(tx *sql.Tx) error {
		var id string
		err := tx.QueryRowContext(ctx, `SELECT id FROM tenants WHERE id = $1`+r.s.d.lockParent,
			tenantID).Scan(&id)
		if err != nil {
			return notFound(err)
		}
		old, err := r.list(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		next, err := fn(slices.Clone(old))
		if err != nil {
			return err
		}
		changed, err := r.apply(ctx, tx, tenantID, old, next)
		if err != nil {
			return err
		}
		if changed {
			if err := r.s.bumpVersion(ctx, tx, keysVersion); err != nil {
				return err
			}
		}
		out, err = r.list(ctx, tx, tenantID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("replace signing keys: %w", err)
	}
	return out, nil
}

// apply writes the difference between old and next and reports whether
// there was any. Deletions go first and keys that end up current go last,
// so the one-current-key-per-algorithm index never sees a passing overlap.
func (r keys) apply(ctx context.Context, tx *sql.Tx, tenantID string, old, next []model.SigningKey) (bool, error) {
	writes, gone, err := diffKeys(tenantID, old, next)
	if err != nil {
		return false, err
	}
	for _, id := range gone {
		if _, err := r.s.exec(ctx, tx, `DELETE FROM signing_keys WHERE tenant_id = $1 AND id = $2`,
			tenantID, id); err != nil {
			return false, err
		}
	}
	slices.SortStableFunc(writes, func(a, b keyWrite) int {
		return cmp.Compare(b2i(a.k.State == model.KeyCurrent), b2i(b.k.State == model.KeyCurrent))
	})
	for _, w := range writes {
		if err := r.write(ctx, tx, w); err != nil {
			return false, err
		}
	}
	return len(gone)+len(writes) > 0, nil
}

type keyWrite struct {
	k      model.SigningKey
	insert bool
}

// Errors for a key set fn must not produce. Like errImmutable they are
// programming errors: the transaction is rolled back and nothing changes.
var (
	errKeyID    = errors.New("signing key without an id, or listed twice")
	errKeyState = errors.New("signing key state is not next, current or retired")
)

// diffKeys validates next against old and returns the rows to write and the
// ids to delete. A kid names one public key for good: relying parties cache
// the JWKS by kid, so an existing key's algorithm, public key and creation
// time are immutable. Its private-key ciphertext may change, because
// re-sealing under a new master key changes it.
func diffKeys(tenantID string, old, next []model.SigningKey) ([]keyWrite, []string, error) {
	before := make(map[string]model.SigningKey, len(old))
	for _, k := range old {
		before[k.ID] = k
	}
	seen := make(map[string]bool, len(next))
	var writes []keyWrite
	for _, k := range next {
		k = normKey(k)
		switch {
		case k.ID == "" || seen[k.ID]:
			return nil, nil, fmt.Errorf("%w: %q", errKeyID, k.ID)
		case k.State != model.KeyNext && k.State != model.KeyCurrent && k.State != model.KeyRetired:
			return nil, nil, fmt.Errorf("key %q: %w", k.ID, errKeyState)
		case k.TenantID != tenantID:
			return nil, nil, fmt.Errorf("key %q: %w", k.ID, errImmutable)
		}
		seen[k.ID] = true
		was, exists := before[k.ID]
		switch {
		case !exists:
			writes = append(writes, keyWrite{k, true})
		case k.Purpose != was.Purpose || k.Alg != was.Alg || k.PublicJWK != was.PublicJWK || !k.CreatedAt.Equal(was.CreatedAt):
			return nil, nil, fmt.Errorf("key %q: %w", k.ID, errImmutable)
		case k != was:
			writes = append(writes, keyWrite{k, false})
		}
	}
	var gone []string
	for _, k := range old {
		if !seen[k.ID] {
			gone = append(gone, k.ID)
		}
	}
	return writes, gone, nil
}

// normKey gives fn's times the form they will read back in (UTC, whole
// microseconds), and an unset purpose the one it is stored as (tokens, what
// every key was before purposes existed), so comparing with a stored key
// sees only real changes.
func normKey(k model.SigningKey) model.SigningKey {
	if k.Purpose == "" {
		k.Purpose = model.KeyForTokens
	}
	for _, t := range []*time.Time{&k.CreatedAt, &k.ActivatedAt, &k.RetiredAt, &k.RemoveAfter} {
		*t = fromMicros(micros(*t))
	}
	return k
}

func (r keys) write(ctx context.Context, tx *sql.Tx, w keyWrite) error {
	k := w.k
	a := []any{k.TenantID, k.ID, k.Alg, string(k.State), k.PrivateKey, k.PublicJWK,
		micros(k.CreatedAt), micros(k.ActivatedAt), micros(k.RetiredAt), micros(k.RemoveAfter), string(k.Purpose)}
	if w.insert {
		_, err := r.s.exec(ctx, tx, `INSERT INTO signing_keys (tenant_id, id, alg, state,
			private_key, public_jwk, created_at, activated_at, retired_at, remove_after, purpose)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, a...)
		return err
	}
	// purpose, alg, public_jwk and created_at are immutable (diffKeys checked), so
	// only the remaining columns are written.
	_, err := r.s.exec(ctx, tx, `UPDATE signing_keys SET state = $3, private_key = $4,
		activated_at = $5, retired_at = $6, remove_after = $7
		WHERE tenant_id = $1 AND id = $2`, a[0], a[1], a[3], a[4], a[7], a[8], a[9])
	return err
}

func (r keys) Version(ctx context.Context) (int64, error) {
	return r.s.version(ctx, keysVersion)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
