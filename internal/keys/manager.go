package keys

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/store"
)

// Defaults for a Manager's zero fields.
const (
	DefaultRotationPeriod = 90 * 24 * time.Hour
	// DefaultRetireFor must cover the longest-lived token a key signs (ID and
	// access tokens live an hour by default) with a wide margin.
	DefaultRetireFor = 24 * time.Hour
	DefaultCacheTTL  = 2 * time.Second
)

// Manager generates, rotates and caches tenants' signing keys. Its fields
// are its dependencies and settings; set them before first use. A Manager
// is safe for concurrent use, and several Managers (replicas) may share a
// store.
type Manager struct {
	Store   store.Keys
	Secrets *secrets.Keyring
	Now     func() time.Time
	// RotationPeriod is how long a key signs before RotateIfDue retires it.
	RotationPeriod time.Duration
	// RetireFor is how long a retired key stays in the JWKS; it must be at
	// least the lifetime of the longest-lived token the key signed.
	RetireFor time.Duration
	// CacheTTL is how long a replica trusts its cached keys before checking
	// the store's Version again.
	CacheTTL time.Duration

	cache sync.Map // tenant id → *entry
}

// now is truncated to the microsecond the store keeps, so what is written
// equals what is read back.
func (m *Manager) now() time.Time { return store.Stamp(m.Now()) }

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// List returns the tenant's keys as stored (public metadata for views;
// private keys stay sealed).
func (m *Manager) List(ctx context.Context, tenantID string) ([]model.SigningKey, error) {
	ks, err := m.Store.List(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list signing keys: %w", err)
	}
	return ks, nil
}

// Ensure gives every slot (purpose and algorithm) exactly one current and
// one next key,
// generating what is missing; it writes nothing when all are there.
func (m *Manager) Ensure(ctx context.Context, tenantID string) error {
	_, err := m.change(ctx, tenantID, func([]model.SigningKey, time.Time) bool { return false })
	return err
}

// Rotate retires every current key, promotes each next key (published since
// the last rotation) to current, generates new next keys and drops retired
// keys whose tokens have all expired.
func (m *Manager) Rotate(ctx context.Context, tenantID string) error {
	_, err := m.change(ctx, tenantID, func([]model.SigningKey, time.Time) bool { return true })
	return err
}

// RotateIfDue rotates when a current key has signed for RotationPeriod and
// in any case drops expired retired keys; it is meant for a periodic job on
// every replica. The decision is re-made under the store's tenant lock, so
// replicas running it together rotate once.
func (m *Manager) RotateIfDue(ctx context.Context, tenantID string) (rotated bool, err error) {
	period := orDefault(m.RotationPeriod, DefaultRotationPeriod)
	return m.change(ctx, tenantID, func(keys []model.SigningKey, now time.Time) bool { return due(keys, now, period) })
}

// change applies a plan in one store.Keys.Replace. It first dry-runs the
// plan on a plain List to learn which keys it needs and generates them
// outside the transaction (an RSA key takes ~100 ms, too long to hold the
// tenant lock), then re-plans on the locked set, which another replica may
// have changed meanwhile.
func (m *Manager) change(ctx context.Context, tenantID string, rotate func([]model.SigningKey, time.Time) bool) (bool, error) {
	if m.Secrets == nil {
		return false, errors.New("keys: no master key configured")
	}
	now, retireFor := m.now(), orDefault(m.RetireFor, DefaultRetireFor)
	listed, err := m.Store.List(ctx, tenantID)
	if err != nil {
		return false, fmt.Errorf("keys: listing keys of tenant %s: %w", tenantID, err)
	}
	need := map[slot]int{}
	dry := plan{now: now, retireFor: retireFor, fresh: func(sl slot) (model.SigningKey, error) {
		need[sl]++
		return model.SigningKey{ID: ids.NewToken(12), Purpose: sl.purpose, Alg: sl.alg, State: model.KeyNext}, nil
	}}
	if _, changed, err := dry.apply(listed, rotate(listed, now)); err != nil || !changed {
		return false, err
	}
	p := &pool{keyring: m.Secrets, tenantID: tenantID, now: now, keys: map[slot][]model.SigningKey{}}
	if err := p.fill(need); err != nil {
		return false, err
	}
	var rotated bool
	_, err = m.Store.Replace(ctx, tenantID, func(keys []model.SigningKey) ([]model.SigningKey, error) {
		rotated = rotate(keys, now)
		out, _, err := plan{now: now, retireFor: retireFor, fresh: p.take}.apply(keys, rotated)
		return out, err
	})
	if err != nil {
		return false, fmt.Errorf("keys: updating keys of tenant %s: %w", tenantID, err)
	}
	m.invalidate(tenantID)
	return rotated, nil
}

// pool holds keys generated ahead of a Replace.
type pool struct {
	keyring  *secrets.Keyring
	tenantID string
	now      time.Time
	keys     map[slot][]model.SigningKey
}

// fill generates the keys a change needs, at once: a tenant's first keys
// are four RSA keys besides the others (~100 ms each), and a start-up or a
// first request waits for them all.
func (p *pool) fill(need map[slot]int) error {
	type made struct {
		sl  slot
		k   model.SigningKey
		err error
	}
	var wg sync.WaitGroup
	out := make(chan made, len(need)*2)
	for sl, n := range need {
		for range n {
			wg.Go(func() {
				k, err := newKey(p.keyring, p.tenantID, sl, p.now)
				out <- made{sl, k, err}
			})
		}
	}
	go func() { wg.Wait(); close(out) }()
	var firstErr error
	for m := range out {
		if m.err != nil && firstErr == nil {
			firstErr = m.err
		}
		p.keys[m.sl] = append(p.keys[m.sl], m.k)
	}
	return firstErr
}

// take hands out a pre-generated key, or generates one when a concurrent
// change left the locked set needing more than the dry run foresaw.
func (p *pool) take(sl slot) (model.SigningKey, error) {
	if ks := p.keys[sl]; len(ks) > 0 {
		p.keys[sl] = ks[1:]
		return ks[0], nil
	}
	return newKey(p.keyring, p.tenantID, sl, p.now)
}
