package storetest

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var factorTests = []testCase{
	{"Factors/EnrollTOTP", testEnrollTOTP},
	{"Factors/UseTOTPStep", testUseTOTPStep},
	{"Factors/RecoveryCodes", testRecoveryCodes},
	{"Factors/DeleteTOTP", testDeleteTOTP},
	{"Factors/HasSecondFactor", testHasSecondFactor},
	{"Factors/Isolation", testFactorIsolation},
	{"Factors/CascadeMemberDelete", testFactorCascade},
	{"Concurrent/UseTOTPStep", testConcurrentTOTPStep},
	{"Concurrent/UseRecoveryCode", testConcurrentRecoveryCode},
}

func mkTOTP(t *testing.T, s store.Store, m model.Member, codes ...string) model.TOTP {
	t.Helper()
	totp := model.TOTP{TenantID: m.TenantID, MemberID: m.ID, Secret: "sealed:" + newID(), LastStep: 7, CreatedAt: t0}
	ok(t, s.Factors().EnrollTOTP(t.Context(), totp, codes))
	return totp
}

func testEnrollTOTP(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	_, err := s.Factors().GetTOTP(ctx, tn.ID, m.ID)
	wantErr(t, err, model.ErrNotFound)
	want := mkTOTP(t, s, m, "h1", "h2")
	got, err := s.Factors().GetTOTP(ctx, tn.ID, m.ID)
	ok(t, err)
	equal(t, got, want)
	codes, err := s.Factors().RecoveryCodes(ctx, tn.ID, m.ID)
	ok(t, err)
	equal(t, codes, []model.RecoveryCode{{Hash: "h1"}, {Hash: "h2"}})

	// A second enrolment conflicts and changes nothing, codes included.
	err = s.Factors().EnrollTOTP(ctx, model.TOTP{TenantID: tn.ID, MemberID: m.ID, Secret: "other", CreatedAt: t0}, []string{"h3"})
	wantErr(t, err, model.ErrConflict)
	got, err = s.Factors().GetTOTP(ctx, tn.ID, m.ID)
	ok(t, err)
	equal(t, got, want)
	codes, err = s.Factors().RecoveryCodes(ctx, tn.ID, m.ID)
	ok(t, err)
	equal(t, len(codes), 2)

	err = s.Factors().EnrollTOTP(ctx, model.TOTP{TenantID: tn.ID, MemberID: "missing", Secret: "x", CreatedAt: t0}, nil)
	wantErr(t, err, model.ErrNotFound)
}

func testUseTOTPStep(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	mkTOTP(t, s, m)
	for _, tc := range []struct {
		step int64
		want bool
	}{{7, false}, {6, false}, {8, true}, {8, false}, {10, true}, {9, false}} {
		got, err := s.Factors().UseTOTPStep(ctx, tn.ID, m.ID, tc.step)
		ok(t, err)
		if got != tc.want {
			t.Fatalf("step %d: %v, want %v", tc.step, got, tc.want)
		}
	}
	totp, err := s.Factors().GetTOTP(ctx, tn.ID, m.ID)
	ok(t, err)
	equal(t, totp.LastStep, int64(10))
	other := mkMember(t, s, tn.ID, "bob@example.com")
	got, err := s.Factors().UseTOTPStep(ctx, tn.ID, other.ID, 100)
	ok(t, err)
	equal(t, got, false)
}

func testRecoveryCodes(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	mkTOTP(t, s, m, "h1", "h2")
	use := func(h string) bool {
		got, err := s.Factors().UseRecoveryCode(ctx, tn.ID, m.ID, h, t0.Add(time.Minute))
		ok(t, err)
		return got
	}
	equal(t, use("h1"), true)
	equal(t, use("h1"), false)
	equal(t, use("unknown"), false)
	codes, err := s.Factors().RecoveryCodes(ctx, tn.ID, m.ID)
	ok(t, err)
	equal(t, codes, []model.RecoveryCode{{Hash: "h1", UsedAt: t0.Add(time.Minute)}, {Hash: "h2"}})

	ok(t, s.Factors().ReplaceRecoveryCodes(ctx, tn.ID, m.ID, []string{"h3", "h4", "h5"}))
	equal(t, use("h2"), false)
	equal(t, use("h4"), true)
	codes, err = s.Factors().RecoveryCodes(ctx, tn.ID, m.ID)
	ok(t, err)
	equal(t, len(codes), 3)
	err = s.Factors().ReplaceRecoveryCodes(ctx, tn.ID, m.ID, []string{"h6", "h6"})
	wantErr(t, err, model.ErrConflict)
	codes, err = s.Factors().RecoveryCodes(ctx, tn.ID, m.ID)
	ok(t, err)
	equal(t, len(codes), 3) // the failed replacement changed nothing
}

func testDeleteTOTP(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	mkTOTP(t, s, m, "h1")
	gone, err := s.Factors().DeleteTOTP(ctx, tn.ID, m.ID)
	ok(t, err)
	equal(t, gone, true)
	_, err = s.Factors().GetTOTP(ctx, tn.ID, m.ID)
	wantErr(t, err, model.ErrNotFound)
	codes, err := s.Factors().RecoveryCodes(ctx, tn.ID, m.ID)
	ok(t, err)
	equal(t, len(codes), 0)
	gone, err = s.Factors().DeleteTOTP(ctx, tn.ID, m.ID)
	ok(t, err)
	equal(t, gone, false)
	mkTOTP(t, s, m) // enrolling again works
}

// testFactorIsolation: one tenant's factors are out of another's reach,
// even with the member id known.
// testHasSecondFactor: an authenticator or a passkey is a second factor,
// recovery codes are none of their own; each member and tenant apart.
func testHasSecondFactor(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	ada, bob, cy := mkMember(t, s, a.ID, "ada@example.com"), mkMember(t, s, a.ID, "bob@example.com"), mkMember(t, s, a.ID, "cy@example.com")
	has := func(tenantID, memberID string, want bool) {
		t.Helper()
		got, err := s.Factors().HasSecondFactor(ctx, tenantID, memberID)
		ok(t, err)
		equal(t, got, want)
	}
	has(a.ID, ada.ID, false)
	mkTOTP(t, s, ada, "h1")
	pk := mkPasskey(t, s, bob, "laptop", t0)
	mkPasskey(t, s, bob, "phone", t0)
	has(a.ID, ada.ID, true)
	has(a.ID, bob.ID, true)
	has(a.ID, cy.ID, false)
	has(b.ID, ada.ID, false)
	has(b.ID, bob.ID, false)
	has(a.ID, "missing", false)

	_, err := s.Factors().DeleteTOTP(ctx, a.ID, ada.ID)
	ok(t, err)
	has(a.ID, ada.ID, false)
	_, err = s.Passkeys().DeletePasskey(ctx, a.ID, bob.ID, pk.ID)
	ok(t, err)
	has(a.ID, bob.ID, true)
}

func testFactorIsolation(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	m := mkMember(t, s, a.ID, "ada@example.com")
	mkTOTP(t, s, m, "h1")
	_, err := s.Factors().GetTOTP(ctx, b.ID, m.ID)
	wantErr(t, err, model.ErrNotFound)
	used, err := s.Factors().UseTOTPStep(ctx, b.ID, m.ID, 100)
	ok(t, err)
	equal(t, used, false)
	used, err = s.Factors().UseRecoveryCode(ctx, b.ID, m.ID, "h1", t0)
	ok(t, err)
	equal(t, used, false)
	gone, err := s.Factors().DeleteTOTP(ctx, b.ID, m.ID)
	ok(t, err)
	equal(t, gone, false)
	err = s.Factors().EnrollTOTP(ctx, model.TOTP{TenantID: b.ID, MemberID: m.ID, Secret: "x", CreatedAt: t0}, nil)
	wantErr(t, err, model.ErrNotFound)
	_, err = s.Factors().GetTOTP(ctx, a.ID, m.ID)
	ok(t, err)
}

func testFactorCascade(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	mkTOTP(t, s, m, "h1")
	ok(t, s.Members().Delete(ctx, tn.ID, m.ID))
	_, err := s.Factors().GetTOTP(ctx, tn.ID, m.ID)
	wantErr(t, err, model.ErrNotFound)
	codes, err := s.Factors().RecoveryCodes(ctx, tn.ID, m.ID)
	ok(t, err)
	equal(t, len(codes), 0)
}

func testConcurrentTOTPStep(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	mkTOTP(t, s, m)
	for round := range rounds {
		var wins atomic.Int32
		raceN(t, consumers, func(int) error {
			won, err := s.Factors().UseTOTPStep(t.Context(), tn.ID, m.ID, int64(100+round))
			if won {
				wins.Add(1)
			}
			return err
		})
		if n := wins.Load(); n != 1 {
			t.Fatalf("%d of %d concurrent uses of one code were accepted, want exactly 1", n, consumers)
		}
	}
}

func testConcurrentRecoveryCode(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	m := mkMember(t, s, tn.ID, "ada@example.com")
	mkTOTP(t, s, m, "h0", "h1", "h2", "h3", "h4")
	for round := range rounds {
		var wins atomic.Int32
		raceN(t, consumers, func(int) error {
			won, err := s.Factors().UseRecoveryCode(t.Context(), tn.ID, m.ID, "h"+string(rune('0'+round)), t0)
			if won {
				wins.Add(1)
			}
			return err
		})
		if n := wins.Load(); n != 1 {
			t.Fatalf("%d of %d concurrent uses of one recovery code were accepted, want exactly 1", n, consumers)
		}
	}
}
