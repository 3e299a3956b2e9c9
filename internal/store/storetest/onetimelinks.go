package storetest

import (
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var oneTimeLinkTests = []testCase{
	{"OneTimeLinks/CreateGet", testLinkCreateGet},
	{"OneTimeLinks/Consume", testLinkConsume},
	{"OneTimeLinks/DeleteUnused", testLinkDeleteUnused},
	{"OneTimeLinks/DeleteExpired", testLinkDeleteExpired},
	{"OneTimeLinks/ListUnused", testLinkListUnused},
	{"OneTimeLinks/ListUnusedSameInstant", testLinkListUnusedSameInstant},
	{"OneTimeLinks/GoWithMember", testLinkGoesWithMember},
	{"TenantIsolation/OneTimeLinks", testLinkIsolation},
	{"Concurrent/OneTimeLinkConsume", testConcurrentLinkConsume},
	{"Members/HasAdmin", testMembersHasAdmin},
}

// mkLink stores a password-reset link for memberID, or an admin-setup link
// when memberID is empty.
func mkLink(t testing.TB, s store.Store, tenantID, memberID string, edit func(*model.OneTimeLink)) model.OneTimeLink {
	t.Helper()
	l := model.OneTimeLink{Hash: newID(), TenantID: tenantID, Purpose: model.PurposeAdminSetup, CreatedBy: "system",
		CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	if memberID != "" {
		l.Purpose, l.MemberID, l.CreatedBy = model.PurposePasswordReset, memberID, "member:admin"
	}
	if edit != nil {
		edit(&l)
	}
	ok(t, s.OneTimeLinks().Create(t.Context(), l))
	return l
}

func getLink(t testing.TB, s store.Store, tenantID, hash string) model.OneTimeLink {
	t.Helper()
	l, err := s.OneTimeLinks().Get(t.Context(), tenantID, hash)
	ok(t, err)
	return l
}

func testLinkCreateGet(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	setup := mkLink(t, s, tn.ID, "", nil)
	reset := mkLink(t, s, tn.ID, m.ID, nil)
	equal(t, getLink(t, s, tn.ID, setup.Hash), setup)
	equal(t, getLink(t, s, tn.ID, reset.Hash), reset)
	used := mkLink(t, s, tn.ID, m.ID, func(l *model.OneTimeLink) { l.UsedAt = t0.Add(time.Minute) })
	equal(t, getLink(t, s, tn.ID, used.Hash), used)
	change := mkLink(t, s, tn.ID, m.ID, func(l *model.OneTimeLink) {
		l.Purpose, l.Email = model.PurposeEmailChange, "Ada.New+sso@Example.org"
	})
	equal(t, getLink(t, s, tn.ID, change.Hash), change) // the address as typed

	_, err := s.OneTimeLinks().Get(ctx, tn.ID, "missing")
	wantErr(t, err, model.ErrNotFound)
	wantErr(t, s.OneTimeLinks().Create(ctx, setup), model.ErrConflict)
	orphan := reset
	orphan.Hash, orphan.MemberID = newID(), "missing"
	wantErr(t, s.OneTimeLinks().Create(ctx, orphan), model.ErrNotFound)
	orphan.TenantID, orphan.MemberID = "missing", ""
	wantErr(t, s.OneTimeLinks().Create(ctx, orphan), model.ErrNotFound)
}

func testLinkConsume(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	l := mkLink(t, s, tn.ID, mkMember(t, s, tn.ID, "ada@example.com").ID, nil)
	if _, _, err := s.OneTimeLinks().Consume(ctx, tn.ID, l.Hash, time.Time{}); err == nil {
		t.Fatal("consuming at the zero time succeeded")
	}
	at := t0.Add(time.Minute)
	got, first, err := s.OneTimeLinks().Consume(ctx, tn.ID, l.Hash, at)
	ok(t, err)
	want := l
	want.UsedAt = at
	equal(t, first, true)
	equal(t, got, want)
	for _, again := range []time.Time{at.Add(time.Second), at.Add(-time.Second)} {
		got, first, err = s.OneTimeLinks().Consume(ctx, tn.ID, l.Hash, again)
		ok(t, err)
		equal(t, first, false) // a replay is told apart; the first time stays
		equal(t, got, want)
	}
	equal(t, getLink(t, s, tn.ID, l.Hash), want)
	_, _, err = s.OneTimeLinks().Consume(ctx, tn.ID, "missing", at)
	wantErr(t, err, model.ErrNotFound)

	// Expiry is the caller's check: a late link is still burnt by its first use.
	late := mkLink(t, s, tn.ID, "", nil)
	got, first, err = s.OneTimeLinks().Consume(ctx, tn.ID, late.Hash, late.ExpiresAt.Add(time.Hour))
	ok(t, err)
	equal(t, first, true)
	equal(t, got.UsedAt, late.ExpiresAt.Add(time.Hour))
}

// testLinkDeleteUnused: only unused links of the purpose and member go.
func testLinkDeleteUnused(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	ada, bob := mkMember(t, s, tn.ID, "ada@example.com"), mkMember(t, s, tn.ID, "bob@example.com")
	gone := []model.OneTimeLink{mkLink(t, s, tn.ID, ada.ID, nil), mkLink(t, s, tn.ID, ada.ID, nil)}
	kept := []model.OneTimeLink{
		mkLink(t, s, tn.ID, ada.ID, func(l *model.OneTimeLink) { l.UsedAt = t0 }),
		mkLink(t, s, tn.ID, bob.ID, nil),
		mkLink(t, s, tn.ID, "", nil),
	}
	n, err := s.OneTimeLinks().DeleteUnused(ctx, tn.ID, model.PurposePasswordReset, ada.ID)
	ok(t, err)
	equal(t, n, int64(len(gone)))
	for _, l := range gone {
		_, err := s.OneTimeLinks().Get(ctx, tn.ID, l.Hash)
		wantErr(t, err, model.ErrNotFound)
	}
	for _, l := range kept {
		equal(t, getLink(t, s, tn.ID, l.Hash), l)
	}
	n, err = s.OneTimeLinks().DeleteUnused(ctx, tn.ID, model.PurposeAdminSetup, "")
	ok(t, err)
	equal(t, n, int64(1))
	_, err = s.OneTimeLinks().Get(ctx, tn.ID, kept[2].Hash)
	wantErr(t, err, model.ErrNotFound)
}

// testLinkListUnused: the unused, unexpired links of one purpose in one
// tenant, newest first, at most the limit.
func testLinkListUnused(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn, other := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	ada, bob, cy := mkMember(t, s, tn.ID, "ada@example.com"), mkMember(t, s, tn.ID, "bob@example.com"), mkMember(t, s, tn.ID, "cy@example.com")
	invite := func(tenantID, memberID string, created time.Time, edit func(*model.OneTimeLink)) model.OneTimeLink {
		return mkLink(t, s, tenantID, memberID, func(l *model.OneTimeLink) {
			l.Purpose, l.CreatedAt, l.ExpiresAt = model.PurposeInvitation, created, created.Add(time.Hour)
			if edit != nil {
				edit(l)
			}
		})
	}
	older, newer := invite(tn.ID, ada.ID, t0, nil), invite(tn.ID, bob.ID, t0.Add(time.Minute), nil)
	invite(tn.ID, cy.ID, t0, func(l *model.OneTimeLink) { l.UsedAt = t0.Add(time.Second) })
	invite(tn.ID, cy.ID, t0.Add(-time.Hour), nil) // expired at t0
	mkLink(t, s, tn.ID, cy.ID, nil)               // a password reset
	invite(other.ID, mkMember(t, s, other.ID, "ada@example.com").ID, t0, nil)
	links := s.OneTimeLinks()
	got, err := links.ListUnused(ctx, tn.ID, model.PurposeInvitation, t0, "", 10)
	ok(t, err)
	equal(t, got, store.Page[model.OneTimeLink]{Items: []model.OneTimeLink{newer, older}})
	first, err := links.ListUnused(ctx, tn.ID, model.PurposeInvitation, t0, "", 1)
	ok(t, err)
	equal(t, first.Items, []model.OneTimeLink{newer})
	if first.Next == "" {
		t.Fatal("a full page gives no cursor")
	}
	second, err := links.ListUnused(ctx, tn.ID, model.PurposeInvitation, t0, first.Next, 1)
	ok(t, err)
	equal(t, second, store.Page[model.OneTimeLink]{Items: []model.OneTimeLink{older}})
	got, err = links.ListUnused(ctx, tn.ID, model.PurposeInvitation, t0.Add(2*time.Hour), "", 10)
	ok(t, err)
	equal(t, len(got.Items), 0)
	_, err = links.ListUnused(ctx, tn.ID, model.PurposeInvitation, t0, "not-a-cursor", 10)
	wantErr(t, err, store.ErrInvalidCursor)
}

// testLinkListUnusedSameInstant: links made in the same microsecond page
// by hash, none lost or repeated at a page's edge.
func testLinkListUnusedSameInstant(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	want := map[string]bool{}
	for _, email := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		l := mkLink(t, s, tn.ID, mkMember(t, s, tn.ID, email).ID, func(l *model.OneTimeLink) {
			l.Purpose, l.CreatedAt, l.ExpiresAt = model.PurposeInvitation, t0, t0.Add(time.Hour)
		})
		want[l.Hash] = true
	}
	seen, after := map[string]bool{}, ""
	for range 3 {
		p, err := s.OneTimeLinks().ListUnused(ctx, tn.ID, model.PurposeInvitation, t0, after, 2)
		ok(t, err)
		for _, l := range p.Items {
			if seen[l.Hash] {
				t.Fatalf("link %s listed twice", l.Hash)
			}
			seen[l.Hash] = true
		}
		if after = p.Next; after == "" {
			break
		}
	}
	equal(t, seen, want)
}

func testLinkDeleteExpired(t *testing.T, s store.Store) {
	ctx := t.Context()
	before := t0.Add(time.Hour)
	a, b := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	expiring := func(tenantID string, at time.Time) model.OneTimeLink {
		return mkLink(t, s, tenantID, "", func(l *model.OneTimeLink) { l.ExpiresAt = at })
	}
	gone := []model.OneTimeLink{expiring(a.ID, before.Add(-time.Microsecond)), expiring(b.ID, t0)}
	kept := []model.OneTimeLink{expiring(a.ID, before), expiring(b.ID, before.Add(time.Hour))}
	n, err := s.OneTimeLinks().DeleteExpired(ctx, before)
	ok(t, err)
	equal(t, n, int64(len(gone)))
	for _, l := range gone {
		_, err := s.OneTimeLinks().Get(ctx, l.TenantID, l.Hash)
		wantErr(t, err, model.ErrNotFound)
	}
	for _, l := range kept {
		equal(t, getLink(t, s, l.TenantID, l.Hash), l)
	}
}

func testLinkGoesWithMember(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	reset, setup := mkLink(t, s, tn.ID, m.ID, nil), mkLink(t, s, tn.ID, "", nil)
	ok(t, s.Members().Delete(ctx, tn.ID, m.ID))
	_, err := s.OneTimeLinks().Get(ctx, tn.ID, reset.Hash)
	wantErr(t, err, model.ErrNotFound)
	equal(t, getLink(t, s, tn.ID, setup.Hash), setup)
}

// testLinkIsolation: one hash in two tenants is two links; neither tenant
// can read, use or delete the other's.
func testLinkIsolation(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	ma, mb := mkMember(t, s, a.ID, "ada@example.com"), mkMember(t, s, b.ID, "ada@example.com")
	same := func(l *model.OneTimeLink) { l.Hash = "same-hash" }
	la, lb := mkLink(t, s, a.ID, ma.ID, same), mkLink(t, s, b.ID, mb.ID, same)
	onlyB := mkLink(t, s, b.ID, "", nil)

	_, err := s.OneTimeLinks().Get(ctx, a.ID, onlyB.Hash)
	wantErr(t, err, model.ErrNotFound)
	_, _, err = s.OneTimeLinks().Consume(ctx, a.ID, onlyB.Hash, t0)
	wantErr(t, err, model.ErrNotFound)
	wrong := mkLink(t, s, a.ID, ma.ID, nil)
	wrong.Hash, wrong.MemberID = newID(), mb.ID // b's member, named from a
	wantErr(t, s.OneTimeLinks().Create(ctx, wrong), model.ErrNotFound)

	got, first, err := s.OneTimeLinks().Consume(ctx, a.ID, "same-hash", t0)
	ok(t, err)
	equal(t, first, true)
	equal(t, got.MemberID, ma.ID)
	equal(t, getLink(t, s, b.ID, "same-hash"), lb)
	n, err := s.OneTimeLinks().DeleteUnused(ctx, a.ID, model.PurposeAdminSetup, "")
	ok(t, err)
	equal(t, n, int64(0))
	equal(t, getLink(t, s, b.ID, onlyB.Hash), onlyB)
	la.UsedAt = t0
	equal(t, getLink(t, s, a.ID, "same-hash"), la)
}

func testConcurrentLinkConsume(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	for i := range rounds {
		member := m.ID
		if i%2 == 0 {
			member = "" // both purposes
		}
		l := mkLink(t, s, tn.ID, member, nil)
		redeemRace(t, func(at time.Time) (time.Time, bool, error) {
			got, first, err := s.OneTimeLinks().Consume(t.Context(), tn.ID, l.Hash, at)
			return got.UsedAt, first, err
		})
	}
}

func testMembersHasAdmin(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	has := func(tenantID string) bool {
		t.Helper()
		got, err := s.Members().HasAdmin(ctx, tenantID)
		ok(t, err)
		return got
	}
	equal(t, has(a.ID), false)
	m := mkMember(t, s, a.ID, "ada@example.com")
	equal(t, has(a.ID), false)
	_, err := s.Members().Update(ctx, a.ID, m.ID, func(m model.Member) (model.Member, error) {
		m.Admin, m.Disabled = true, true
		return m, nil
	})
	ok(t, err)
	equal(t, has(a.ID), true)
	equal(t, has(b.ID), false) // another tenant's administrator does not count
	equal(t, has("missing"), false)
}
