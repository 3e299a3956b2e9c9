package storetest

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var passkeyTests = []testCase{
	{"Passkeys/Add", testAddPasskey},
	{"Passkeys/Use", testUsePasskey},
	{"Passkeys/Delete", testDeletePasskey},
	{"Passkeys/Rename", testRenamePasskey},
	{"Passkeys/Isolation", testPasskeyIsolation},
	{"Passkeys/CascadeMemberDelete", testPasskeyCascade},
	{"Concurrent/UsePasskey", testConcurrentUsePasskey},
}

func mkPasskey(t *testing.T, s store.Store, m model.Member, name string, at time.Time) model.Passkey {
	t.Helper()
	p := model.Passkey{TenantID: m.TenantID, MemberID: m.ID, ID: "cred-" + newID(), Name: name,
		Record: []byte(`{"publicKey":"pQECAyYgASFY"}`), SignCount: 3, CreatedAt: at}
	ok(t, s.Passkeys().AddPasskey(t.Context(), p))
	return p
}

func testAddPasskey(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	list, err := s.Passkeys().Passkeys(ctx, tn.ID, m.ID)
	ok(t, err)
	equal(t, len(list), 0)
	second := mkPasskey(t, s, m, "Laptop", t0.Add(time.Minute))
	first := mkPasskey(t, s, m, "Phone", t0)
	list, err = s.Passkeys().Passkeys(ctx, tn.ID, m.ID)
	ok(t, err)
	equal(t, list, []model.Passkey{first, second})
	got, err := s.Passkeys().GetPasskey(ctx, tn.ID, first.ID)
	ok(t, err)
	equal(t, got, first)
	_, err = s.Passkeys().GetPasskey(ctx, tn.ID, "missing")
	wantErr(t, err, model.ErrNotFound)

	// A credential id is one member's: another member cannot claim it.
	other := mkMember(t, s, tn.ID, "bob@example.com")
	dup := first
	dup.MemberID, dup.Name = other.ID, "Stolen"
	wantErr(t, s.Passkeys().AddPasskey(ctx, dup), model.ErrConflict)
	got, err = s.Passkeys().GetPasskey(ctx, tn.ID, first.ID)
	ok(t, err)
	equal(t, got, first)

	missing := first
	missing.ID, missing.MemberID = "cred-x", "missing"
	wantErr(t, s.Passkeys().AddPasskey(ctx, missing), model.ErrNotFound)
}

func testUsePasskey(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	p := mkPasskey(t, s, m, "Phone", t0) // counter 3
	for i, tc := range []struct {
		count uint32
		want  bool
	}{{3, false}, {2, false}, {0, false}, {4, true}, {4, false}, {10, true}, {9, false}} {
		got, err := s.Passkeys().UsePasskey(ctx, tn.ID, p.ID, tc.count, t0.Add(time.Duration(i+1)*time.Minute))
		ok(t, err)
		if got != tc.want {
			t.Fatalf("counter %d: %v, want %v", tc.count, got, tc.want)
		}
	}
	got, err := s.Passkeys().GetPasskey(ctx, tn.ID, p.ID)
	ok(t, err)
	equal(t, got.SignCount, uint32(10))
	equal(t, got.LastUsedAt, t0.Add(6*time.Minute))

	// An authenticator that keeps no counter always says 0: each use counts.
	zero := model.Passkey{TenantID: tn.ID, MemberID: m.ID, ID: "cred-zero", Name: "Synced", Record: []byte(`{}`), CreatedAt: t0}
	ok(t, s.Passkeys().AddPasskey(ctx, zero))
	for range 2 {
		used, err := s.Passkeys().UsePasskey(ctx, tn.ID, zero.ID, 0, t0.Add(time.Hour))
		ok(t, err)
		equal(t, used, true)
	}
	used, err := s.Passkeys().UsePasskey(ctx, tn.ID, "missing", 100, t0)
	ok(t, err)
	equal(t, used, false)
	// The largest counter an authenticator can send is stored whole.
	used, err = s.Passkeys().UsePasskey(ctx, tn.ID, zero.ID, ^uint32(0), t0.Add(2*time.Hour))
	ok(t, err)
	equal(t, used, true)
	got, err = s.Passkeys().GetPasskey(ctx, tn.ID, zero.ID)
	ok(t, err)
	equal(t, got.SignCount, ^uint32(0))
}

func testDeletePasskey(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	other := mkMember(t, s, tn.ID, "bob@example.com")
	a, b := mkPasskey(t, s, m, "Phone", t0), mkPasskey(t, s, m, "Key", t0.Add(time.Second))
	theirs := mkPasskey(t, s, other, "Bob's", t0)
	gone, err := s.Passkeys().DeletePasskey(ctx, tn.ID, other.ID, a.ID) // not theirs
	ok(t, err)
	equal(t, gone, false)
	gone, err = s.Passkeys().DeletePasskey(ctx, tn.ID, m.ID, a.ID)
	ok(t, err)
	equal(t, gone, true)
	gone, err = s.Passkeys().DeletePasskey(ctx, tn.ID, m.ID, a.ID)
	ok(t, err)
	equal(t, gone, false)
	list, err := s.Passkeys().Passkeys(ctx, tn.ID, m.ID)
	ok(t, err)
	equal(t, list, []model.Passkey{b})
	mkPasskey(t, s, m, "Tablet", t0.Add(2*time.Second))
	n, err := s.Passkeys().DeletePasskeys(ctx, tn.ID, m.ID)
	ok(t, err)
	equal(t, n, int64(2))
	list, err = s.Passkeys().Passkeys(ctx, tn.ID, m.ID)
	ok(t, err)
	equal(t, len(list), 0)
	_, err = s.Passkeys().GetPasskey(ctx, tn.ID, theirs.ID)
	ok(t, err)
}

// testRenamePasskey: a member renames only their own passkey; the rest of
// the record (counter, dates) is left as it was.
func testRenamePasskey(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	other := mkMember(t, s, tn.ID, "bob@example.com")
	p := mkPasskey(t, s, m, "Passkey 1", t0)
	theirs := mkPasskey(t, s, other, "Bob's", t0)
	done, err := s.Passkeys().RenamePasskey(ctx, tn.ID, other.ID, p.ID, "Stolen") // not theirs
	ok(t, err)
	equal(t, done, false)
	done, err = s.Passkeys().RenamePasskey(ctx, tn.ID, m.ID, "missing", "Laptop")
	ok(t, err)
	equal(t, done, false)
	done, err = s.Passkeys().RenamePasskey(ctx, tn.ID, m.ID, p.ID, "Work laptop · é")
	ok(t, err)
	equal(t, done, true)
	done, err = s.Passkeys().RenamePasskey(ctx, tn.ID, m.ID, p.ID, "Work laptop · é") // same name again
	ok(t, err)
	equal(t, done, true)
	got, err := s.Passkeys().GetPasskey(ctx, tn.ID, p.ID)
	ok(t, err)
	want := p
	want.Name = "Work laptop · é"
	equal(t, got, want)
	got, err = s.Passkeys().GetPasskey(ctx, tn.ID, theirs.ID)
	ok(t, err)
	equal(t, got, theirs)
}

// testPasskeyIsolation: one tenant's passkeys are out of another's reach,
// even with the credential and member ids known.
func testPasskeyIsolation(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	m := mkMember(t, s, a.ID, "ada@example.com")
	p := mkPasskey(t, s, m, "Phone", t0)
	_, err := s.Passkeys().GetPasskey(ctx, b.ID, p.ID)
	wantErr(t, err, model.ErrNotFound)
	list, err := s.Passkeys().Passkeys(ctx, b.ID, m.ID)
	ok(t, err)
	equal(t, len(list), 0)
	used, err := s.Passkeys().UsePasskey(ctx, b.ID, p.ID, 100, t0)
	ok(t, err)
	equal(t, used, false)
	gone, err := s.Passkeys().DeletePasskey(ctx, b.ID, m.ID, p.ID)
	ok(t, err)
	equal(t, gone, false)
	renamed, err := s.Passkeys().RenamePasskey(ctx, b.ID, m.ID, p.ID, "Other tenant")
	ok(t, err)
	equal(t, renamed, false)
	n, err := s.Passkeys().DeletePasskeys(ctx, b.ID, m.ID)
	ok(t, err)
	equal(t, n, int64(0))
	wrong := p
	wrong.TenantID = b.ID
	wantErr(t, s.Passkeys().AddPasskey(ctx, wrong), model.ErrNotFound)
	got, err := s.Passkeys().GetPasskey(ctx, a.ID, p.ID)
	ok(t, err)
	equal(t, got, p)
}

func testPasskeyCascade(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	p := mkPasskey(t, s, m, "Phone", t0)
	ok(t, s.Members().Delete(ctx, tn.ID, m.ID))
	_, err := s.Passkeys().GetPasskey(ctx, tn.ID, p.ID)
	wantErr(t, err, model.ErrNotFound)
}

// testConcurrentUsePasskey: of uses racing with one counter value exactly
// one is accepted, so one assertion signs in once.
func testConcurrentUsePasskey(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	p := mkPasskey(t, s, m, "Phone", t0)
	for round := range rounds {
		var wins atomic.Int32
		raceN(t, consumers, func(int) error {
			won, err := s.Passkeys().UsePasskey(t.Context(), tn.ID, p.ID, uint32(100+round), t0)
			if won {
				wins.Add(1)
			}
			return err
		})
		if n := wins.Load(); n != 1 {
			t.Fatalf("%d of %d concurrent uses of one counter value were accepted, want exactly 1", n, consumers)
		}
	}
}
