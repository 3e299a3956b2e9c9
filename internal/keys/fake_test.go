package keys

import (
	"bytes"
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/store"
)

// memKeys is a small in-memory store.Keys with the contract's locking:
// Replace holds one lock across read, fn and write, like the SQL store's
// transaction. It counts calls so tests can prove the cache spares the store.
type memKeys struct {
	mu      sync.Mutex
	keys    map[string][]model.SigningKey
	version int64
	lists   atomic.Int64
	reps    atomic.Int64
	vers    atomic.Int64
}

var _ store.Keys = (*memKeys)(nil)

func newMemKeys() *memKeys { return &memKeys{keys: map[string][]model.SigningKey{}} }

func (s *memKeys) List(_ context.Context, tenantID string) ([]model.SigningKey, error) {
	s.lists.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sorted(tenantID), nil
}

func (s *memKeys) sorted(tenantID string) []model.SigningKey {
	ks := slices.Clone(s.keys[tenantID])
	slices.SortStableFunc(ks, func(a, b model.SigningKey) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return ks
}

func (s *memKeys) Replace(_ context.Context, tenantID string, fn func([]model.SigningKey) ([]model.SigningKey, error)) ([]model.SigningKey, error) {
	s.reps.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	out, err := fn(s.sorted(tenantID))
	if err != nil {
		return nil, err
	}
	s.keys[tenantID] = slices.Clone(out)
	s.version++
	return s.sorted(tenantID), nil
}

func (s *memKeys) Version(context.Context) (int64, error) {
	s.vers.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version, nil
}

func (s *memKeys) calls() int64 { return s.lists.Load() + s.reps.Load() + s.vers.Load() }

// put overwrites a tenant's rows, as an attacker with database access could.
func (s *memKeys) put(tenantID string, ks []model.SigningKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[tenantID] = ks
	s.version++
}

// clock is a fake time source that only moves when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func testKeyring(t testing.TB, b byte) *secrets.Keyring {
	t.Helper()
	k, err := secrets.NewKeyring(bytes.Repeat([]byte{b}, secrets.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newManager(t testing.TB, st store.Keys, c *clock) *Manager {
	return &Manager{Store: st, Secrets: testKeyring(t, 1), Now: c.Now}
}

const tenant = "tenant-1"

// byState returns the kids of the stored token keys of alg in state.
func (s *memKeys) byState(tenantID, alg string, state model.KeyState) []string {
	return s.bySlot(tenantID, slot{model.KeyForTokens, alg}, state)
}

// bySlot returns the kids of the stored keys of one slot in state.
func (s *memKeys) bySlot(tenantID string, sl slot, state model.KeyState) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, k := range s.keys[tenantID] {
		if slotOf(k) == sl && k.State == state {
			out = append(out, k.ID)
		}
	}
	return out
}
