package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var memberTests = []testCase{
	{"Members/CRUD", testMemberCRUD},
	{"Members/Conflicts", testMemberConflicts},
	{"Members/UpdateAborts", testMemberUpdateAborts},
	{"Members/TimesUTCMicroseconds", testMemberTimes},
}

func testMemberCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	m := model.Member{
		ID: newID(), TenantID: tn.ID, Email: "Ada.Lovelace@Example.COM", EmailVerified: true,
		Name: "Ada Lovelace", GivenName: "Ada", FamilyName: "Lovelace", LegacyID: "L-1815",
		Status: model.StatusGracePeriod, Disabled: true, Admin: true, Language: "fr",
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", CreatedAt: t0, UpdatedAt: t0,
	}
	ok(t, s.Members().Create(ctx, m))
	plain := mkMember(t, s, tn.ID, "plain@example.com") // every flag false, optional fields empty

	got, err := s.Members().Get(ctx, tn.ID, m.ID)
	ok(t, err)
	equal(t, got, m)
	got, err = s.Members().Get(ctx, tn.ID, plain.ID)
	ok(t, err)
	equal(t, got, plain)
	for _, email := range []string{"ada.lovelace@example.com", " ADA.LOVELACE@EXAMPLE.COM "} {
		got, err = s.Members().GetByEmail(ctx, tn.ID, email)
		ok(t, err)
		equal(t, got, m)
	}

	want := m
	want.Email, want.EmailVerified, want.Name = "ada@example.org", false, "Countess"
	want.GivenName, want.FamilyName, want.LegacyID = "Augusta", "King", ""
	want.Status, want.Disabled, want.Admin, want.PasswordHash = model.StatusExpired, false, false, ""
	want.Language, want.UpdatedAt = "nl", t0.Add(time.Hour)
	got, err = s.Members().Update(ctx, tn.ID, m.ID, func(old model.Member) (model.Member, error) {
		expect(t, old, m)
		return want, nil
	})
	ok(t, err)
	equal(t, got, want)
	got, err = s.Members().GetByEmail(ctx, tn.ID, "ADA@example.org")
	ok(t, err)
	equal(t, got, want)
	_, err = s.Members().GetByEmail(ctx, tn.ID, m.Email)
	wantErr(t, err, model.ErrNotFound)

	ok(t, s.Members().Delete(ctx, tn.ID, m.ID))
	_, err = s.Members().Get(ctx, tn.ID, m.ID)
	wantErr(t, err, model.ErrNotFound)
	_, err = s.Members().GetByEmail(ctx, tn.ID, want.Email)
	wantErr(t, err, model.ErrNotFound)
	wantErr(t, s.Members().Delete(ctx, tn.ID, m.ID), model.ErrNotFound)
	_, err = s.Members().Update(ctx, tn.ID, m.ID, mustNotCall[model.Member](t))
	wantErr(t, err, model.ErrNotFound)
	got, err = s.Members().Get(ctx, tn.ID, plain.ID)
	ok(t, err)
	equal(t, got, plain)
}

func testMemberConflicts(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	ada := mkMember(t, s, tn.ID, "ada@example.com")
	for _, email := range []string{"ada@example.com", "ADA@Example.Com", "  ada@example.com\t"} {
		m := model.Member{ID: newID(), TenantID: tn.ID, Email: email, Status: model.StatusCurrent}
		wantErr(t, s.Members().Create(ctx, m), model.ErrConflict)
	}
	dupID := model.Member{ID: ada.ID, TenantID: tn.ID, Email: "other@example.com"}
	wantErr(t, s.Members().Create(ctx, dupID), model.ErrConflict)
	noTenant := model.Member{ID: newID(), TenantID: "missing", Email: "x@example.com"}
	wantErr(t, s.Members().Create(ctx, noTenant), model.ErrNotFound)

	bob := mkMember(t, s, tn.ID, "bob@example.com")
	_, err := s.Members().Update(ctx, tn.ID, bob.ID, func(old model.Member) (model.Member, error) {
		old.Email, old.Name = "Ada@EXAMPLE.com", "changed"
		return old, nil
	})
	wantErr(t, err, model.ErrConflict)
	got, err := s.Members().Get(ctx, tn.ID, bob.ID)
	ok(t, err)
	equal(t, got, bob)

	// Changing only the case of one's own email is no conflict.
	_, err = s.Members().Update(ctx, tn.ID, ada.ID, func(old model.Member) (model.Member, error) {
		old.Email = "ADA@example.com"
		return old, nil
	})
	ok(t, err)
	got, err = s.Members().GetByEmail(ctx, tn.ID, "ada@EXAMPLE.com")
	ok(t, err)
	equal(t, got.Email, "ADA@example.com")
}

func testMemberUpdateAborts(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	other := mkTenant(t, s, "beta")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	edits := []func(*model.Member){
		func(n *model.Member) { n.ID = newID() },
		func(n *model.Member) { n.TenantID = other.ID },
		func(n *model.Member) { n.CreatedAt = n.CreatedAt.Add(time.Microsecond) },
	}
	for i, edit := range edits {
		_, err := s.Members().Update(ctx, tn.ID, m.ID, func(old model.Member) (model.Member, error) {
			old.Name = "changed"
			edit(&old)
			return old, nil
		})
		if err == nil {
			t.Fatalf("edit %d changed an immutable field: want error", i)
		}
	}
	_, err := s.Members().Update(ctx, tn.ID, m.ID, func(old model.Member) (model.Member, error) {
		old.Name, old.Email = "changed", "new@example.com"
		return old, fmt.Errorf("wrapped: %w", errBoom)
	})
	wantErr(t, err, errBoom)
	got, err := s.Members().Get(ctx, tn.ID, m.ID)
	ok(t, err)
	equal(t, got, m)
	_, err = s.Members().GetByEmail(ctx, tn.ID, "new@example.com")
	wantErr(t, err, model.ErrNotFound)
	page, err := s.Members().List(ctx, other.ID, store.MemberQuery{})
	ok(t, err)
	equal(t, len(page.Items), 0)
}

// testMemberTimes checks the storage precision promise: UTC, whole
// microseconds, whatever zone and nanoseconds went in.
func testMemberTimes(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	zone := time.FixedZone("X", 5*3600+1800)
	created := time.Date(2026, 7, 4, 23, 59, 59, 987654321, zone)
	updated := time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC) // before the epoch
	m := model.Member{ID: newID(), TenantID: tn.ID, Email: "t@example.com", CreatedAt: created, UpdatedAt: updated}
	ok(t, s.Members().Create(ctx, m))
	got, err := s.Members().Get(ctx, tn.ID, m.ID)
	ok(t, err)
	for _, tc := range []struct{ got, in time.Time }{{got.CreatedAt, created}, {got.UpdatedAt, updated}} {
		want := tc.in.UTC().Truncate(time.Microsecond)
		if !tc.got.Equal(want) || tc.got.Location() != time.UTC {
			t.Errorf("stored %v, read %v; want %v", tc.in, tc.got, want)
		}
	}
	if got.CreatedAt.Nanosecond() != 987654000 {
		t.Errorf("nanoseconds %d, want 987654000", got.CreatedAt.Nanosecond())
	}
	var zero model.Member
	zero.ID, zero.TenantID, zero.Email = newID(), tn.ID, "zero@example.com"
	ok(t, s.Members().Create(ctx, zero))
	got, err = s.Members().Get(ctx, tn.ID, zero.ID)
	ok(t, err)
	if !got.CreatedAt.IsZero() || !got.UpdatedAt.IsZero() {
		t.Errorf("zero times read back as %v, %v", got.CreatedAt, got.UpdatedAt)
	}
}
