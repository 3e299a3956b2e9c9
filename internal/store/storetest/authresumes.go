package storetest

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var authResumeTests = []testCase{
	{"AuthResumes/Use", testResumeUse},
	{"AuthResumes/DeleteExpired", testResumeDeleteExpired},
	{"Concurrent/AuthResumeUse", testConcurrentResumeUse},
}

// testResumeUse: a marker is used once per tenant; the same id in another
// tenant is another marker.
func testResumeUse(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	id, exp := newID(), t0.Add(15*time.Minute)
	for _, tc := range []struct {
		tenant string
		want   bool
	}{{a.ID, true}, {a.ID, false}, {b.ID, true}, {b.ID, false}} {
		first, err := s.AuthResumes().Use(ctx, tc.tenant, id, exp)
		ok(t, err)
		equal(t, first, tc.want)
	}
	_, err := s.AuthResumes().Use(ctx, "missing", newID(), exp)
	wantErr(t, err, model.ErrNotFound)
}

func testResumeDeleteExpired(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	use := func(tenantID, id string, exp time.Time) bool {
		first, err := s.AuthResumes().Use(ctx, tenantID, id, exp)
		ok(t, err)
		return first
	}
	gone, kept := newID(), newID()
	use(a.ID, gone, t0)
	use(b.ID, gone, t0)
	use(a.ID, kept, t0.Add(time.Minute))
	n, err := s.AuthResumes().DeleteExpired(ctx, t0.Add(time.Minute))
	ok(t, err)
	equal(t, n, int64(2))
	equal(t, use(a.ID, gone, t0), true) // forgotten: by now the marker has expired anyway
	equal(t, use(a.ID, kept, t0), false)
}

func testConcurrentResumeUse(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	for range rounds {
		id := newID()
		var firsts atomic.Int32
		raceN(t, consumers, func(int) error {
			first, err := s.AuthResumes().Use(t.Context(), tn.ID, id, t0.Add(time.Hour))
			if first {
				firsts.Add(1)
			}
			return err
		})
		if n := firsts.Load(); n != 1 {
			t.Fatalf("%d of %d concurrent uses saw first=true, want exactly 1", n, consumers)
		}
	}
}
