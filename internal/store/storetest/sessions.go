package storetest

import (
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var sessionTests = []testCase{
	{"Sessions/CRUD", testSessionCRUD},
	{"Sessions/DeleteForMember", testSessionDeleteForMember},
	{"Sessions/DeleteExpired", testSessionDeleteExpired},
	{"Sessions/GetWithMember", testSessionGetWithMember},
}

func testSessionCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	zone := time.FixedZone("Y", -7*3600)
	in := model.Session{
		ID: newID(), TenantID: tn.ID, MemberID: m.ID,
		AuthTime: t0.Add(-time.Minute), CreatedAt: t0, LastSeenAt: t0.Add(time.Second).In(zone),
		ExpiresAt: t0.Add(12*time.Hour + 789), AMR: []string{"pwd", "otp"}, Browser: "Samsung Internet", OS: "Android",
	}
	ok(t, s.Sessions().Create(ctx, in))
	want := in
	want.LastSeenAt = in.LastSeenAt.UTC()
	want.ExpiresAt = in.ExpiresAt.Truncate(time.Microsecond)
	got, err := s.Sessions().Get(ctx, tn.ID, in.ID)
	ok(t, err)
	equal(t, got, want)
	wantErr(t, s.Sessions().Create(ctx, in), model.ErrConflict)

	later := t0.Add(time.Hour)
	ok(t, s.Sessions().Touch(ctx, tn.ID, in.ID, later))
	want.LastSeenAt = later
	got, err = s.Sessions().Get(ctx, tn.ID, in.ID)
	ok(t, err)
	equal(t, got, want)
	ok(t, s.Sessions().Touch(ctx, tn.ID, "missing", later)) // no-op

	noAMR := mkSession(t, s, tn.ID, m.ID, func(ss *model.Session) { ss.AMR = nil })
	got, err = s.Sessions().Get(ctx, tn.ID, noAMR.ID)
	ok(t, err)
	equal(t, got, noAMR)

	ok(t, s.Sessions().Delete(ctx, tn.ID, in.ID))
	_, err = s.Sessions().Get(ctx, tn.ID, in.ID)
	wantErr(t, err, model.ErrNotFound)
	ok(t, s.Sessions().Delete(ctx, tn.ID, in.ID)) // signing out twice is fine
	got, err = s.Sessions().Get(ctx, tn.ID, noAMR.ID)
	ok(t, err)
	equal(t, got, noAMR)

	orphan := model.Session{ID: newID(), TenantID: tn.ID, MemberID: "missing"}
	wantErr(t, s.Sessions().Create(ctx, orphan), model.ErrNotFound)
}

func testSessionDeleteForMember(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	ada := mkMember(t, s, tn.ID, "ada@example.com")
	bob := mkMember(t, s, tn.ID, "bob@example.com")
	a1 := mkSession(t, s, tn.ID, ada.ID, nil)
	a2 := mkSession(t, s, tn.ID, ada.ID, nil)
	b1 := mkSession(t, s, tn.ID, bob.ID, nil)

	ok(t, s.Sessions().DeleteForMember(ctx, tn.ID, ada.ID))
	for _, id := range []string{a1.ID, a2.ID} {
		_, err := s.Sessions().Get(ctx, tn.ID, id)
		wantErr(t, err, model.ErrNotFound)
	}
	got, err := s.Sessions().Get(ctx, tn.ID, b1.ID)
	ok(t, err)
	equal(t, got, b1)
	ok(t, s.Sessions().DeleteForMember(ctx, tn.ID, ada.ID))
	ok(t, s.Sessions().DeleteForMember(ctx, tn.ID, "missing"))
	member, err := s.Members().Get(ctx, tn.ID, ada.ID)
	ok(t, err)
	equal(t, member, ada)
}

func testSessionDeleteExpired(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := t0.Add(48 * time.Hour)
	idleBefore := now.Add(-time.Hour)
	a := mkTenant(t, s, "alpha")
	b := mkTenant(t, s, "beta")
	ma := mkMember(t, s, a.ID, "ada@example.com")
	mb := mkMember(t, s, b.ID, "bob@example.com")
	fresh := func(ss *model.Session) { ss.LastSeenAt, ss.ExpiresAt = now, now.Add(time.Hour) }
	session := func(tenantID, memberID string, edit func(*model.Session)) model.Session {
		return mkSession(t, s, tenantID, memberID, func(ss *model.Session) { fresh(ss); edit(ss) })
	}
	var gone, kept []model.Session
	gone = append(gone,
		session(a.ID, ma.ID, func(ss *model.Session) { ss.ExpiresAt = now.Add(-time.Microsecond) }),
		session(a.ID, ma.ID, func(ss *model.Session) { ss.LastSeenAt = idleBefore.Add(-time.Microsecond) }),
		session(b.ID, mb.ID, func(ss *model.Session) { ss.ExpiresAt = now.Add(-time.Hour) }),
	)
	kept = append(kept,
		session(a.ID, ma.ID, func(ss *model.Session) { ss.ExpiresAt = now }),         // boundary
		session(a.ID, ma.ID, func(ss *model.Session) { ss.LastSeenAt = idleBefore }), // boundary
		session(b.ID, mb.ID, func(*model.Session) {}),
	)

	n, err := s.Sessions().DeleteExpired(ctx, now, idleBefore)
	ok(t, err)
	equal(t, n, int64(len(gone)))
	for _, ss := range gone {
		_, err := s.Sessions().Get(ctx, ss.TenantID, ss.ID)
		wantErr(t, err, model.ErrNotFound)
	}
	for _, ss := range kept {
		got, err := s.Sessions().Get(ctx, ss.TenantID, ss.ID)
		ok(t, err)
		equal(t, got, ss)
	}
	n, err = s.Sessions().DeleteExpired(ctx, now, idleBefore)
	ok(t, err)
	equal(t, n, int64(0))
}
