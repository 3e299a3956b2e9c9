package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var upstreamStateTests = []testCase{
	{"UpstreamStates/Consume", testStateConsume},
	{"UpstreamStates/DeleteExpired", testStateDeleteExpired},
	{"SetupLinks/Consume", testSetupLinkConsume},
	{"SetupLinks/DeleteExpired", testSetupLinkDeleteExpired},
	{"SetupLinks/CountAttempt", testSetupLinkCountAttempt},
	{"Concurrent/SetupLinkAttempts", testConcurrentSetupLinkAttempts},
	{"Concurrent/UpstreamStateConsume", testConcurrentStateConsume},
	{"Concurrent/SetupLinkConsume", testConcurrentSetupLinkConsume},
	{"Concurrent/DomainClaims", testConcurrentDomainClaims},
}

func mkState(t testing.TB, s store.Store, c model.Connection, edit func(*model.UpstreamState)) model.UpstreamState {
	t.Helper()
	st := model.UpstreamState{Hash: newID(), TenantID: c.TenantID, ConnectionID: c.ID, Purpose: model.StateLogin,
		Nonce: "n-" + newID(), CodeVerifier: "v-" + newID(), BrowserHash: "b-" + newID(),
		ReturnTo: "/oauth/authorize?client_id=x", CreatedAt: t0, ExpiresAt: t0.Add(10 * time.Minute)}
	if edit != nil {
		edit(&st)
	}
	ok(t, s.UpstreamStates().Create(t.Context(), st))
	return st
}

func mkSetupLink(t testing.TB, s store.Store, c model.Connection, edit func(*model.SetupLink)) model.SetupLink {
	t.Helper()
	l := model.SetupLink{Hash: newID(), TenantID: c.TenantID, ConnectionID: c.ID, CreatedBy: "cli",
		CreatedAt: t0, ExpiresAt: t0.Add(72 * time.Hour)}
	if edit != nil {
		edit(&l)
	}
	ok(t, s.SetupLinks().Create(t.Context(), l))
	return l
}

func testStateConsume(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	c := mkConnection(t, s, tn.ID, nil)
	st := mkState(t, s, c, nil)
	if _, _, err := s.UpstreamStates().Consume(ctx, tn.ID, st.Hash, time.Time{}); err == nil {
		t.Fatal("consuming at the zero time succeeded")
	}
	at := t0.Add(time.Second)
	got, first, err := s.UpstreamStates().Consume(ctx, tn.ID, st.Hash, at)
	ok(t, err)
	want := st
	want.ConsumedAt = at
	equal(t, first, true)
	equal(t, got, want)
	got, first, err = s.UpstreamStates().Consume(ctx, tn.ID, st.Hash, at.Add(time.Second))
	ok(t, err)
	equal(t, first, false) // a replay is told apart; the first time stays
	equal(t, got, want)
	_, _, err = s.UpstreamStates().Consume(ctx, tn.ID, "missing", at)
	wantErr(t, err, model.ErrNotFound)
	wantErr(t, s.UpstreamStates().Create(ctx, st), model.ErrConflict)
	orphan := st
	orphan.Hash, orphan.ConnectionID = newID(), "missing"
	wantErr(t, s.UpstreamStates().Create(ctx, orphan), model.ErrNotFound)
}

func testStateDeleteExpired(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	ca, cb := mkConnection(t, s, a.ID, nil), mkConnection(t, s, b.ID, nil)
	old := func(c model.Connection) model.UpstreamState {
		return mkState(t, s, c, func(st *model.UpstreamState) { st.ExpiresAt = t0 })
	}
	gone := []model.UpstreamState{old(ca), old(cb)}
	kept := mkState(t, s, ca, func(st *model.UpstreamState) { st.ExpiresAt = t0.Add(time.Hour) })
	n, err := s.UpstreamStates().DeleteExpired(ctx, t0.Add(time.Minute))
	ok(t, err)
	equal(t, n, int64(2))
	for _, st := range gone {
		_, _, err := s.UpstreamStates().Consume(ctx, st.TenantID, st.Hash, t0)
		wantErr(t, err, model.ErrNotFound)
	}
	_, first, err := s.UpstreamStates().Consume(ctx, a.ID, kept.Hash, t0)
	ok(t, err)
	equal(t, first, true)
}

func testSetupLinkConsume(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	l := mkSetupLink(t, s, mkConnection(t, s, tn.ID, nil), nil)
	got, err := s.SetupLinks().Get(ctx, tn.ID, l.Hash)
	ok(t, err)
	equal(t, got, l)
	at := t0.Add(time.Hour)
	got, first, err := s.SetupLinks().Consume(ctx, tn.ID, l.Hash, at)
	ok(t, err)
	want := l
	want.UsedAt = at
	equal(t, first, true)
	equal(t, got, want)
	_, first, err = s.SetupLinks().Consume(ctx, tn.ID, l.Hash, at.Add(time.Hour))
	ok(t, err)
	equal(t, first, false)
	got, err = s.SetupLinks().Get(ctx, tn.ID, l.Hash)
	ok(t, err)
	equal(t, got, want)
	_, err = s.SetupLinks().Get(ctx, tn.ID, "missing")
	wantErr(t, err, model.ErrNotFound)
	_, _, err = s.SetupLinks().Consume(ctx, tn.ID, "missing", at)
	wantErr(t, err, model.ErrNotFound)
}

func testSetupLinkDeleteExpired(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	c := mkConnection(t, s, tn.ID, nil)
	gone := mkSetupLink(t, s, c, func(l *model.SetupLink) { l.ExpiresAt = t0 })
	kept := mkSetupLink(t, s, c, nil)
	n, err := s.SetupLinks().DeleteExpired(ctx, t0.Add(time.Second))
	ok(t, err)
	equal(t, n, int64(1))
	_, err = s.SetupLinks().Get(ctx, tn.ID, gone.Hash)
	wantErr(t, err, model.ErrNotFound)
	_, err = s.SetupLinks().Get(ctx, tn.ID, kept.Hash)
	ok(t, err)
}

func testConcurrentStateConsume(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	c := mkConnection(t, s, tn.ID, nil)
	for range rounds {
		st := mkState(t, s, c, nil)
		redeemRace(t, func(at time.Time) (time.Time, bool, error) {
			got, first, err := s.UpstreamStates().Consume(t.Context(), tn.ID, st.Hash, at)
			return got.ConsumedAt, first, err
		})
	}
}

func testConcurrentSetupLinkConsume(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	c := mkConnection(t, s, tn.ID, nil)
	for range rounds {
		l := mkSetupLink(t, s, c, nil)
		redeemRace(t, func(at time.Time) (time.Time, bool, error) {
			got, first, err := s.SetupLinks().Consume(t.Context(), tn.ID, l.Hash, at)
			return got.UsedAt, first, err
		})
	}
}

// testConcurrentDomainClaims races connections of one tenant claiming one
// domain: exactly one may win, the rest see a conflict.
func testConcurrentDomainClaims(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	conns := make([]model.Connection, consumers)
	for i := range conns {
		conns[i] = mkConnection(t, s, tn.ID, nil)
	}
	won := make(chan int, consumers)
	raceN(t, consumers, func(i int) error {
		_, err := s.Connections().Update(t.Context(), tn.ID, conns[i].ID, func(c model.Connection) (model.Connection, error) {
			c.Domains = append(c.Domains, "contested.example")
			return c, nil
		})
		switch {
		case err == nil:
			won <- i
		case !isConflict(err):
			return err
		}
		return nil
	})
	close(won)
	equal(t, len(won), 1)
	got, err := s.Connections().GetByDomain(t.Context(), tn.ID, "contested.example")
	ok(t, err)
	equal(t, got.ID, conns[<-won].ID)
}

func isConflict(err error) bool { return errors.Is(err, model.ErrConflict) }

// testSetupLinkCountAttempt: attempts count up to the cap and no further,
// are read back with the link, stop once it is used, and stay in their
// tenant.
func testSetupLinkCountAttempt(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	l := mkSetupLink(t, s, mkConnection(t, s, a.ID, nil), nil)
	for i := 1; i <= 2; i++ {
		got, counted, err := s.SetupLinks().CountAttempt(ctx, a.ID, l.Hash, 2)
		ok(t, err)
		equal(t, counted, true)
		equal(t, got.Attempts, i)
	}
	got, counted, err := s.SetupLinks().CountAttempt(ctx, a.ID, l.Hash, 2)
	ok(t, err)
	equal(t, counted, false)
	equal(t, got.Attempts, 2)
	got, err = s.SetupLinks().Get(ctx, a.ID, l.Hash)
	ok(t, err)
	equal(t, got.Attempts, 2)
	_, _, err = s.SetupLinks().CountAttempt(ctx, b.ID, l.Hash, 5)
	wantErr(t, err, model.ErrNotFound)
	_, _, err = s.SetupLinks().CountAttempt(ctx, a.ID, "missing", 5)
	wantErr(t, err, model.ErrNotFound)

	used := mkSetupLink(t, s, mkConnection(t, s, a.ID, nil), nil)
	_, _, err = s.SetupLinks().Consume(ctx, a.ID, used.Hash, t0)
	ok(t, err)
	got, counted, err = s.SetupLinks().CountAttempt(ctx, a.ID, used.Hash, 5)
	ok(t, err)
	equal(t, counted, false)
	equal(t, got.Attempts, 0)
}

// testConcurrentSetupLinkAttempts races more submissions than a link
// allows: exactly the cap are counted, whatever the interleaving.
func testConcurrentSetupLinkAttempts(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	l := mkSetupLink(t, s, mkConnection(t, s, tn.ID, nil), nil)
	const max = 3
	counted := make(chan bool, consumers)
	raceN(t, consumers, func(int) error {
		_, ok, err := s.SetupLinks().CountAttempt(t.Context(), tn.ID, l.Hash, max)
		counted <- ok
		return err
	})
	close(counted)
	n := 0
	for ok := range counted {
		if ok {
			n++
		}
	}
	equal(t, n, max)
	got, err := s.SetupLinks().Get(t.Context(), tn.ID, l.Hash)
	ok(t, err)
	equal(t, got.Attempts, max)
}
