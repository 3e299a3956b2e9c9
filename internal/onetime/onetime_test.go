package onetime

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/password"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

const pw = "correct horse battery"

type fixture struct {
	svc     *Service
	st      store.Store
	keyring *secrets.Keyring // the outbox's, once withMail
	mu      sync.Mutex
	now     time.Time
}

func newFixture(t *testing.T, tenants ...string) *fixture {
	t.Helper()
	return newFixtureOn(t, storetest.NewSQLite(t), tenants...)
}

// newFixtureOn is newFixture on the store st.
func newFixtureOn(t *testing.T, st store.Store, tenants ...string) *fixture {
	t.Helper()
	f := &fixture{st: st, now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	clock := func() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now }
	for _, id := range append([]string{"t1"}, tenants...) {
		must(t, st.Tenants().Create(t.Context(), model.Tenant{ID: id, Slug: id, Issuer: "https://" + id + ".example"}))
	}
	dir := &directory.Service{Members: st.Members(), Groups: st.Groups(), Grants: st.Grants(), Clients: st.Clients(), Sessions: st.Sessions(), Audit: st.Audit(), Atomic: st.Atomic,
		Hasher: password.NewHasher(password.Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}), Now: clock}
	f.svc = &Service{Links: st.OneTimeLinks(), Members: st.Members(), Dir: dir, Audit: st.Audit(), Now: clock, Atomic: st.Atomic}
	return f
}

func (f *fixture) advance(d time.Duration) { f.mu.Lock(); f.now = f.now.Add(d); f.mu.Unlock() }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantUnusable(t *testing.T, err error) {
	t.Helper()
	if _, ok := errors.AsType[*problem.NotFound](err); !ok || !errors.Is(err, ErrUnusable) {
		t.Fatalf("got %v, want an unusable link", err)
	}
}

func admin(email string) directory.MemberInput {
	return directory.MemberInput{Email: email, Name: "First Admin", Password: pw}
}

func TestSetupLinkCreatesOneAdministrator(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	old, _, err := f.svc.SetupLink(ctx, "t1")
	must(t, err)
	token, l, err := f.svc.SetupLink(ctx, "t1") // a restart replaces the unused link
	must(t, err)
	if token == "" || l.ExpiresAt != f.now.Add(time.Hour) || l.Purpose != model.PurposeAdminSetup {
		t.Fatalf("link %+v", l)
	}
	_, err = f.svc.CompleteSetup(ctx, "t1", old, admin("a@example.org"))
	wantUnusable(t, err)

	_, err = f.svc.CompleteSetup(ctx, "t1", token, directory.MemberInput{Email: "nope", Name: "X"})
	inv, ok := errors.AsType[*problem.Invalid](err)
	if !ok || len(inv.Problems) != 2 || inv.Problems[0].Field != "password" || inv.Problems[1].Field != "email" {
		t.Fatalf("bad input: %v", err)
	}
	m, err := f.svc.CompleteSetup(ctx, "t1", token, admin("a@example.org")) // the refusal did not burn it
	must(t, err)
	if !m.Admin || m.PasswordHash == "" || m.Email != "a@example.org" {
		t.Fatalf("administrator %+v", m)
	}
	_, err = f.svc.CompleteSetup(ctx, "t1", token, admin("b@example.org"))
	if !errors.Is(err, ErrAdminExists) {
		t.Fatalf("second use: %v", err)
	}
	if token, _, err := f.svc.SetupLink(ctx, "t1"); err != nil || token != "" {
		t.Fatalf("a link with an administrator present: %q, %v", token, err)
	}
	wantActions(t, f, "t1", "member.create", "admin.setup_link.use", "admin.setup_link.create", "admin.setup_link.create")
}

func TestSetupLinkRefusals(t *testing.T) {
	f := newFixture(t, "t2")
	ctx := t.Context()
	token, _, err := f.svc.SetupLink(ctx, "t1")
	must(t, err)
	_, err = f.svc.CompleteSetup(ctx, "t2", token, admin("a@example.org")) // another tenant's host
	wantUnusable(t, err)
	_, err = f.svc.Dir.AddMember(ctx, "cli", "t1", directory.MemberInput{Email: "taken@example.org", Name: "T"})
	must(t, err)
	_, err = f.svc.CompleteSetup(ctx, "t1", token, admin("TAKEN@example.org"))
	if _, ok := errors.AsType[*problem.Conflict](err); !ok {
		t.Fatalf("taken email: %v", err)
	}
	f.advance(time.Hour)
	_, err = f.svc.CompleteSetup(ctx, "t1", token, admin("a@example.org"))
	wantUnusable(t, err)
}

func TestResetLink(t *testing.T) {
	f := newFixture(t, "t2")
	ctx := t.Context()
	m, err := f.svc.Dir.AddMember(ctx, "cli", "t1", directory.MemberInput{Email: "ada@example.org", Name: "Ada", Password: "old password"})
	must(t, err)
	must(t, f.st.Sessions().Create(ctx, model.Session{ID: "s1", TenantID: "t1", MemberID: m.ID, ExpiresAt: f.now.Add(time.Hour)}))
	_, _, err = f.svc.ResetLink(ctx, "member:admin", "t1", "missing")
	if _, ok := errors.AsType[*problem.NotFound](err); !ok {
		t.Fatalf("unknown member: %v", err)
	}
	token, l, err := f.svc.ResetLink(ctx, "member:admin", "t1", m.ID)
	must(t, err)
	if l.ExpiresAt != f.now.Add(24*time.Hour) || l.MemberID != m.ID {
		t.Fatalf("link %+v", l)
	}
	_, err = f.svc.CompleteSetup(ctx, "t1", token, admin("x@example.org")) // not a setup link: refused, not burnt
	wantUnusable(t, err)
	_, err = f.svc.CompleteReset(ctx, "t2", token, pw)
	wantUnusable(t, err)
	if _, err := f.svc.CompleteReset(ctx, "t1", token, "short"); err == nil {
		t.Fatal("a short password was accepted")
	}
	_, err = f.svc.CompleteReset(ctx, "t1", token, pw)
	must(t, err)
	if _, err := f.st.Sessions().Get(ctx, "t1", "s1"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("the member's session survived the reset: %v", err)
	}
	_, err = f.svc.CompleteReset(ctx, "t1", token, "another password")
	wantUnusable(t, err)
	wantActions(t, f, "t1", "member.password.set", "member.password.reset_link.use", "member.password.reset_link.create", "member.create")

	token, _, err = f.svc.ResetLink(ctx, "member:admin", "t1", m.ID)
	must(t, err)
	f.advance(24 * time.Hour)
	_, err = f.svc.CompleteReset(ctx, "t1", token, pw)
	wantUnusable(t, err)
}

// TestConcurrentResetHasOneWinner: of simultaneous submissions of one link
// exactly one sets the password.
func TestConcurrentResetHasOneWinner(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	m, err := f.svc.Dir.AddMember(ctx, "cli", "t1", directory.MemberInput{Email: "ada@example.org", Name: "Ada"})
	must(t, err)
	token, _, err := f.svc.ResetLink(ctx, "member:admin", "t1", m.ID)
	must(t, err)
	var wg sync.WaitGroup
	results := make(chan error, 8)
	for range 8 {
		wg.Go(func() { _, err := f.svc.CompleteReset(ctx, "t1", token, pw); results <- err })
	}
	wg.Wait()
	close(results)
	wins := 0
	for err := range results {
		if err == nil {
			wins++
		} else if !errors.Is(err, ErrUnusable) {
			t.Fatal(err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d submissions succeeded, want 1", wins)
	}
}

// wantActions checks the tenant's audit log, newest first.
func wantActions(t *testing.T, f *fixture, tenantID string, want ...string) {
	t.Helper()
	p, err := f.st.Audit().List(t.Context(), tenantID, store.AuditQuery{})
	must(t, err)
	var got []string
	for _, e := range p.Items {
		got = append(got, e.Action)
	}
	if len(got) != len(want) {
		t.Fatalf("audit %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("audit %q, want %q", got, want)
		}
	}
}
