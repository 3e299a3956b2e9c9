// Package storetest is the conformance suite for store.Store. Every backend
// must pass Run, so services can rely on the contract rather than on a
// database. It also hands other packages' tests a fresh, migrated store on
// SQLite or PostgreSQL. It is test-only: import it from _test.go files, never
// from code that reaches the binary.
package storetest

import (
	"crypto/rand"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// Run runs the whole suite; newStore must return a fresh, empty, migrated
// store each time it is called. Subtests run in parallel, each on its own
// store.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	for _, tc := range suite {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newStore(t))
		})
	}
}

type testCase struct {
	name string
	fn   func(t *testing.T, s store.Store)
}

var suite = concat(tenantTests, memberTests, listTests, groupTests, sessionTests,
	throttleTests, auditTests, isolationTests, concurrencyTests, miscTests,
	clientTests, keyTests, grantTests, grantAccessTests, grantRevokeTests, codeTests, codeAccessTests, refreshTests, refreshUseTests, revocationTests,
	oauthIsolationTests, oauthConcurrencyTests, apiKeyTests, leaseTests,
	connectionTests, identityTests, upstreamStateTests, upstreamIsolationTests,
	oneTimeLinkTests, authResumeTests, samlTests, atomicTests, outboxTests, factorTests, passkeyTests, scimTests, memberPageTests, webhookTests,
	mfaPolicyTests, deviceTests)

func concat(lists ...[]testCase) []testCase {
	var out []testCase
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

var miscTests = []testCase{
	{"Ping", func(t *testing.T, s store.Store) { ok(t, s.Ping(t.Context())) }},
}

// t0 is a time every backend stores exactly: UTC, whole microseconds.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 123456000, time.UTC)

// errBoom is what an Update fn returns to prove its error aborts the write.
var errBoom = errors.New("boom")

func newID() string { return rand.Text() }

func ok(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

func wantErr(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("got error %v, want %v", err, target)
	}
}

func equal[T any](t testing.TB, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}

// expect is equal for use inside an Update fn, where stopping the test
// goroutine would leave the transaction open.
func expect[T any](t testing.TB, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// mustNotCall is an Update fn for rows that must not be found.
func mustNotCall[T any](t testing.TB) func(T) (T, error) {
	return func(v T) (T, error) {
		t.Errorf("update fn called for a row that should not be visible: %+v", v)
		return v, nil
	}
}

func mkTenant(t testing.TB, s store.Store, slug string, hosts ...string) model.Tenant {
	t.Helper()
	tn := model.Tenant{
		ID: newID(), Slug: slug, Name: "Tenant " + slug,
		Issuer: "https://" + slug + ".idp.example", Hosts: hosts,
		AfterLogoutURL: "https://" + slug + ".example/", CreatedAt: t0, UpdatedAt: t0,
	}
	ok(t, s.Tenants().Create(t.Context(), tn))
	return tn
}

func mkMember(t testing.TB, s store.Store, tenantID, email string) model.Member {
	t.Helper()
	m := model.Member{
		ID: newID(), TenantID: tenantID, Email: email, Name: "Name of " + email,
		Status: model.StatusCurrent, CreatedAt: t0, UpdatedAt: t0,
	}
	ok(t, s.Members().Create(t.Context(), m))
	return m
}

func mkGroup(t testing.TB, s store.Store, tenantID, name string) model.Group {
	t.Helper()
	g := model.Group{ID: newID(), TenantID: tenantID, Name: name, Description: "about " + name,
		CreatedAt: t0, UpdatedAt: t0}
	ok(t, s.Groups().Create(t.Context(), g))
	return g
}

func mkSession(t testing.TB, s store.Store, tenantID, memberID string, edit func(*model.Session)) model.Session {
	t.Helper()
	ss := model.Session{
		ID: newID(), TenantID: tenantID, MemberID: memberID, AuthTime: t0, CreatedAt: t0,
		LastSeenAt: t0, ExpiresAt: t0.Add(24 * time.Hour), AMR: []string{"pwd"},
	}
	if edit != nil {
		edit(&ss)
	}
	ok(t, s.Sessions().Create(t.Context(), ss))
	return ss
}
