package storetest

import (
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var codeTests = []testCase{
	{"AuthCodes/Consume", testCodeConsume},
	{"AuthCodes/Create", testCodeCreate},
	{"AuthCodes/DeleteExpired", testCodeDeleteExpired},
}

func testCodeConsume(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	g := mkGrant(t, s, tn.ID, mkClient(t, s, tn.ID, nil).ID, m.ID, newID(), nil)
	in := mkCode(t, s, g, func(c *model.AuthCode) {
		c.Scopes, c.Nonce = []string{"openid", "profile"}, "n-0S6_WzA2Mj"
		c.CodeChallenge, c.CodeChallengeMethod = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "S256"
		c.AuthTime, c.CreatedAt, c.ExpiresAt = t0.Add(-time.Hour), t0, t0.Add(time.Minute)
	})
	other := mkCode(t, s, g, nil)

	if _, _, err := s.AuthCodes().Consume(ctx, tn.ID, in.Hash, time.Time{}); err == nil {
		t.Fatal("consuming at the zero time succeeded")
	}
	at := t0.Add(10 * time.Second)
	got, first := consume(t, s, tn.ID, in.Hash, at)
	want := in
	want.ConsumedAt = at
	equal(t, first, true)
	equal(t, got, want)

	// A replay is told apart and still names the grant to revoke; the first
	// consumption time stays.
	for _, again := range []time.Time{at.Add(time.Second), at.Add(-time.Second)} {
		got, first = consume(t, s, tn.ID, in.Hash, again)
		equal(t, first, false)
		equal(t, got, want)
	}
	_, _, err := s.AuthCodes().Consume(ctx, tn.ID, "missing", at)
	wantErr(t, err, model.ErrNotFound)

	// Expiry is the caller's check: a late code is still burnt by its first use.
	got, first = consume(t, s, tn.ID, other.Hash, other.ExpiresAt.Add(time.Hour))
	equal(t, first, true)
	equal(t, got.ConsumedAt, other.ExpiresAt.Add(time.Hour))
}

func testCodeCreate(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	g := mkGrant(t, s, tn.ID, mkClient(t, s, tn.ID, nil).ID, "", "", nil)
	bare := mkCode(t, s, g, func(c *model.AuthCode) { c.Scopes, c.RedirectURI = []string{}, "" })
	wantErr(t, s.AuthCodes().Create(ctx, bare), model.ErrConflict)
	orphan := bare
	orphan.Hash, orphan.GrantID = newID(), "missing"
	wantErr(t, s.AuthCodes().Create(ctx, orphan), model.ErrNotFound)

	got, first := consume(t, s, tn.ID, bare.Hash, t0)
	equal(t, first, true)
	bare.Scopes, bare.ConsumedAt = nil, t0
	equal(t, got, bare)

	used := mkCode(t, s, g, func(c *model.AuthCode) { c.ConsumedAt = t0 })
	got, first = consume(t, s, tn.ID, used.Hash, t0.Add(time.Second))
	equal(t, first, false)
	equal(t, got, used)
}

func testCodeDeleteExpired(t *testing.T, s store.Store) {
	ctx := t.Context()
	before := t0.Add(time.Hour)
	a, b := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	ga := mkGrant(t, s, a.ID, mkClient(t, s, a.ID, nil).ID, "", "", nil)
	gb := mkGrant(t, s, b.ID, mkClient(t, s, b.ID, nil).ID, "", "", nil)
	expiring := func(g model.Grant, at time.Time) model.AuthCode {
		return mkCode(t, s, g, func(c *model.AuthCode) { c.ExpiresAt = at })
	}
	gone := []model.AuthCode{expiring(ga, before.Add(-time.Microsecond)), expiring(gb, t0)}
	kept := []model.AuthCode{expiring(ga, before), expiring(gb, before.Add(time.Hour))}

	n, err := s.AuthCodes().DeleteExpired(ctx, before)
	ok(t, err)
	equal(t, n, int64(len(gone)))
	n, err = s.AuthCodes().DeleteExpired(ctx, before)
	ok(t, err)
	equal(t, n, int64(0))
	for _, c := range gone {
		_, _, err := s.AuthCodes().Consume(ctx, c.TenantID, c.Hash, before)
		wantErr(t, err, model.ErrNotFound)
	}
	for _, c := range kept {
		_, first := consume(t, s, c.TenantID, c.Hash, before)
		equal(t, first, true)
	}
	equal(t, getGrant(t, s, a.ID, ga.ID), ga) // codes go alone; the grant stays
}
