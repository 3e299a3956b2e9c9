package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var oauthConcurrencyTests = []testCase{
	{"Concurrent/CodeConsume", testConcurrentCodeConsume},
	{"Concurrent/RefreshUse", testConcurrentRefreshUse},
	{"Concurrent/RefreshUseAccess", testConcurrentRefreshUseAccess},
	{"Concurrent/RefreshUseAccessRolledBack", testConcurrentRefreshUseAccessRolledBack},
	{"Concurrent/RevokeBySession", testConcurrentRevokeBySession},
	{"Concurrent/KeyReplace", testConcurrentKeyReplace},
}

// consumers is how many goroutines race to redeem one single-use value;
// rounds repeats the race on fresh values to give interleavings a chance.
const (
	consumers = 16
	rounds    = 5
)

// redeemRace races consumers calls of use on one value and checks that
// exactly one saw first=true and that all agree on when that was.
func redeemRace(t *testing.T, use func(at time.Time) (usedAt time.Time, first bool, err error)) {
	t.Helper()
	var mu sync.Mutex
	firsts := 0
	var seen []time.Time
	raceN(t, consumers, func(i int) error {
		usedAt, first, err := use(t0.Add(time.Duration(i+1) * time.Millisecond))
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		if first {
			firsts++
		}
		seen = append(seen, usedAt)
		return nil
	})
	if firsts != 1 {
		t.Fatalf("%d of %d concurrent redemptions saw first=true, want exactly 1", firsts, consumers)
	}
	if slices.ContainsFunc(seen, func(at time.Time) bool { return !at.Equal(seen[0]) }) {
		t.Fatalf("redemptions disagree on when the value was used: %v", seen)
	}
}

func testConcurrentCodeConsume(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	g := mkGrant(t, s, tn.ID, mkClient(t, s, tn.ID, nil).ID, "", "", nil)
	for range rounds {
		code := mkCode(t, s, g, nil)
		redeemRace(t, func(at time.Time) (time.Time, bool, error) {
			c, first, err := s.AuthCodes().Consume(t.Context(), tn.ID, code.Hash, at)
			if err == nil && c.GrantID != g.ID {
				err = fmt.Errorf("consumed code names grant %q, want %q", c.GrantID, g.ID)
			}
			return c.ConsumedAt, first, err
		})
	}
}

func testConcurrentRefreshUse(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	g := mkGrant(t, s, tn.ID, mkClient(t, s, tn.ID, nil).ID, "", "", nil)
	for range rounds {
		rt := mkRefresh(t, s, g, nil)
		redeemRace(t, func(at time.Time) (time.Time, bool, error) {
			got, first, err := s.RefreshTokens().Use(t.Context(), tn.ID, rt.Hash, at)
			if err == nil && got.GrantID != g.ID {
				err = fmt.Errorf("used token names grant %q, want %q", got.GrantID, g.ID)
			}
			return got.UsedAt, first, err
		})
	}
}

// testConcurrentRefreshUseAccess races UseAccess (a refresh's) against
// Use: exactly one takes the token, and all agree on when.
func testConcurrentRefreshUseAccess(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	g := mkGrant(t, s, tn.ID, mkClient(t, s, tn.ID, nil).ID, m.ID, "", nil)
	for round := range rounds {
		rt := mkRefresh(t, s, g, nil)
		var turn atomic.Int64
		redeemRace(t, func(at time.Time) (time.Time, bool, error) {
			if turn.Add(1)%2 == 0 {
				got, first, err := s.RefreshTokens().Use(t.Context(), tn.ID, rt.Hash, at)
				return got.UsedAt, first, err
			}
			u, first, err := s.RefreshTokens().UseAccess(t.Context(), tn.ID, rt.Hash, at, round%2 == 0)
			if err == nil && first && (u.Access == nil || u.Access.Grant.ID != g.ID) {
				err = fmt.Errorf("the winner read access %+v, want grant %q", u.Access, g.ID)
			}
			return u.Token.UsedAt, first, err
		})
	}
}

// testConcurrentRefreshUseAccessRolledBack races refreshes, each a
// transaction around UseAccess, of which every third refuses the token it
// used and rolls back: of those that commit, at most one took the token,
// and the token is used at its time, or unused when none did.
func testConcurrentRefreshUseAccessRolledBack(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	g := mkGrant(t, s, tn.ID, mkClient(t, s, tn.ID, nil).ID, m.ID, "", nil)
	refusal := errors.New("refused after reading")
	for range rounds {
		rt := mkRefresh(t, s, g, nil)
		var mu sync.Mutex
		var wonAt []time.Time
		raceN(t, consumers, func(i int) error {
			at := t0.Add(time.Duration(i+1) * time.Millisecond)
			var first bool
			err := s.Atomic(t.Context(), func(tx store.Tx) error {
				var err error
				if _, first, err = tx.RefreshTokens().UseAccess(t.Context(), tn.ID, rt.Hash, at, false); err != nil || !first {
					return err
				}
				if i%3 == 0 {
					return refusal
				}
				return nil
			})
			switch {
			case errors.Is(err, refusal):
				return nil
			case err == nil && first:
				mu.Lock()
				wonAt = append(wonAt, at)
				mu.Unlock()
			}
			return err
		})
		switch len(wonAt) {
		case 0:
			equal(t, getRefresh(t, s, tn.ID, rt.Hash).UsedAt, time.Time{})
		case 1:
			equal(t, getRefresh(t, s, tn.ID, rt.Hash).UsedAt, wonAt[0])
		default:
			t.Fatalf("%d of %d concurrent refreshes committed a first use, want at most 1", len(wonAt), consumers)
		}
	}
}

// testConcurrentRevokeBySession: racing logouts split the session's grants
// between them, each grant returned exactly once.
func testConcurrentRevokeBySession(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	c := mkClient(t, s, tn.ID, nil)
	session := newID()
	var want []string
	for range 10 {
		want = append(want, mkGrant(t, s, tn.ID, c.ID, "", session, nil).ID)
	}
	var mu sync.Mutex
	var got []string
	raceN(t, consumers, func(i int) error {
		gs, err := s.Grants().RevokeBySession(t.Context(), tn.ID, session, t0.Add(time.Duration(i+1)*time.Second))
		mu.Lock()
		defer mu.Unlock()
		for _, g := range gs {
			got = append(got, g.ID)
		}
		return err
	})
	slices.Sort(got)
	slices.Sort(want)
	equal(t, got, want)
}

// testConcurrentKeyReplace: each Replace appends one key and rewrites one
// that all share. Appends alone would survive even without the tenant lock
// (the diff only deletes keys it has seen); the shared rewrite is the
// read-modify-write that the lock must serialise.
func testConcurrentKeyReplace(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	shared := addKeys(t, s, tn.ID, newKey(tn.ID, model.AlgES256, model.KeyCurrent, time.Hour))[0]
	v := keysVersion(t, s)
	var want []string
	for i := range writers {
		want = append(want, fmt.Sprintf("kid-%02d", i))
	}
	race(t, func(i int) error {
		_, err := s.Keys().Replace(t.Context(), tn.ID, func(ks []model.SigningKey) ([]model.SigningKey, error) {
			k := newKey(tn.ID, model.AlgRS256, model.KeyNext, time.Duration(i)*time.Second)
			k.ID = want[i]
			ks[len(ks)-1].PrivateKey += "x" // the shared key is the oldest
			time.Sleep(time.Millisecond)    // widen the window in which a lost update could happen
			return append(ks, k), nil
		})
		return err
	})
	var got []string
	keys := listKeys(t, s, tn.ID)
	for _, k := range keys {
		got = append(got, k.ID)
	}
	equal(t, got, append(want, shared.ID)) // newest first: kid-00 is the youngest
	equal(t, keys[len(keys)-1].PrivateKey, shared.PrivateKey+strings.Repeat("x", writers))
	if now := keysVersion(t, s); now < v+writers {
		t.Fatalf("keys version %d → %d after %d changing replaces", v, now, writers)
	}
}
