package passkeys

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/mfa"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
	"github.com/guildgate/guildgate/internal/throttle"
)

const (
	origin  = "https://bakers.example:8443"
	rpID    = "bakers.example"
	browser = "csrf-cookie-of-the-browser"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

type env struct {
	t      *testing.T
	st     store.Store
	svc    *Service
	clock  *clock
	tenant model.Tenant
	member model.Member
}

func newEnv(t *testing.T) *env {
	st := storetest.NewSQLite(t)
	c := &clock{t: time.Now().UTC()} // go-webauthn checks its own timeouts against the wall clock
	kr, err := secrets.NewKeyring(secrets.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, st: st, clock: c}
	e.svc = &Service{Passkeys: st.Passkeys(), Members: st.Members(), Markers: st.AuthResumes(), Secrets: kr,
		Throttle: &throttle.Limiter{Store: st.Throttles(), Now: c.Now}, Audit: st.Audit(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: c.Now}
	e.tenant = model.Tenant{ID: ids.NewUUID(), Slug: "bakers", Name: "Bakers", Issuer: origin, CreatedAt: c.t, UpdatedAt: c.t}
	if err := st.Tenants().Create(t.Context(), e.tenant); err != nil {
		t.Fatal(err)
	}
	e.member = e.addMember("ann@example.org")
	return e
}

func (e *env) addMember(email string) model.Member {
	e.t.Helper()
	m := model.Member{ID: ids.NewUUID(), TenantID: e.tenant.ID, Email: email, Name: "Ann",
		Status: model.StatusCurrent, CreatedAt: e.clock.t, UpdatedAt: e.clock.t}
	if err := e.st.Members().Create(e.t.Context(), m); err != nil {
		e.t.Fatal(err)
	}
	return m
}

// register makes a passkey for m with a, through the whole ceremony.
func (e *env) register(m model.Member, a *authenticator, name string) model.Passkey {
	e.t.Helper()
	c, err := e.svc.BeginRegistration(e.t.Context(), e.tenant, m, browser)
	if err != nil {
		e.t.Fatal(err)
	}
	p, err := e.svc.FinishRegistration(e.t.Context(), e.tenant, m, browser, c.State, name, a.create(c.Options), "192.0.2.1")
	if err != nil {
		e.t.Fatalf("register: %v", err)
	}
	return p
}

func (e *env) begin(m *model.Member) Ceremony {
	e.t.Helper()
	c, err := e.svc.BeginSignIn(e.t.Context(), e.tenant, m, browser)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func (e *env) finish(memberID string, c Ceremony, response []byte) (Proof, error) {
	return e.svc.FinishSignIn(e.t.Context(), e.tenant, memberID, browser, c.State, response, "192.0.2.1")
}

func (e *env) audited(action, reason string) bool {
	e.t.Helper()
	events, err := e.st.Audit().List(context.Background(), e.tenant.ID, store.AuditQuery{Action: action, Limit: 500})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, ev := range events.Items {
		if ev.Action == action && (reason == "" || ev.Detail["reason"] == reason) {
			return true
		}
	}
	return false
}

// TestRegisterAndSignIn: a registered passkey signs its member in alone
// (discoverable, user verified: hwk user) and as a second factor; each
// use advances the counter and shows as the last use; a synced passkey
// is swk.
func TestRegisterAndSignIn(t *testing.T) {
	e := newEnv(t)
	a := newAuthenticator(t, origin, rpID)
	p := e.register(e.member, a, "Laptop")
	if p.Name != "Laptop" || p.ID != a.credID() || p.MemberID != e.member.ID || !p.LastUsedAt.IsZero() {
		t.Fatalf("stored passkey: %+v", p)
	}
	if !e.audited("passkey.enrolled", "") {
		t.Fatal("enrolment not audited")
	}
	if string(a.handle) != e.member.ID {
		t.Fatalf("user handle %q is not the member id", a.handle)
	}

	c := e.begin(nil)
	if o := parseOptions(t, c.Options); len(o.AllowCredentials) != 0 || !strings.Contains(string(c.Options), `"userVerification":"required"`) {
		t.Fatalf("passwordless options: %s", c.Options)
	}
	proof, err := e.finish("", c, a.get(c.Options))
	if err != nil {
		t.Fatal(err)
	}
	if proof.Member.ID != e.member.ID || !slices.Equal(proof.AMR, []string{"hwk", "user"}) {
		t.Fatalf("proof: %+v", proof)
	}

	e.clock.Advance(time.Minute)
	c = e.begin(&e.member)
	if o := parseOptions(t, c.Options); len(o.AllowCredentials) != 1 || o.AllowCredentials[0].ID != a.credID() {
		t.Fatalf("second-factor options: %s", c.Options)
	}
	a.uv = false // a security key without a PIN is still a second factor
	if proof, err = e.finish(e.member.ID, c, a.get(c.Options)); err != nil || !slices.Equal(proof.AMR, []string{"hwk"}) {
		t.Fatalf("second factor: %+v, %v", proof, err)
	}
	list, err := e.svc.List(t.Context(), e.tenant.ID, e.member.ID)
	if err != nil || len(list) != 1 || !list[0].LastUsedAt.Equal(e.clock.Now().Truncate(time.Microsecond)) || list[0].SignCount != a.count-1 {
		t.Fatalf("after use: %+v, %v", list, err)
	}

	synced := newAuthenticator(t, origin, rpID)
	synced.backup, synced.count = true, 0
	e.register(e.member, synced, "Phone")
	for range 2 { // a synced passkey keeps no counter: 0 each time
		synced.count = 0
		c = e.begin(nil)
		if proof, err = e.finish("", c, synced.get(c.Options)); err != nil || !slices.Equal(proof.AMR, []string{"swk", "user"}) {
			t.Fatalf("synced passkey: %+v, %v", proof, err)
		}
	}
	if c = e.begin(&e.member); len(parseOptions(t, c.Options).AllowCredentials) != 2 {
		t.Fatalf("both passkeys offered: %s", c.Options)
	}
	if gone, err := e.svc.Remove(t.Context(), e.tenant.ID, e.member.ID, p.ID, "member:"+e.member.ID, ""); err != nil || !gone {
		t.Fatalf("remove: %v %v", gone, err)
	}
	c = e.begin(nil)
	if _, err = e.finish("", c, a.get(c.Options)); !errors.Is(err, ErrRefused) {
		t.Fatalf("removed passkey: %v", err)
	}
	if !e.audited("passkey.removed", "") || !e.audited("passkey.failure", "unknown_credential") {
		t.Fatal("removal or failure not audited")
	}
}

// TestRegistrationRefused: a response made for another challenge, origin
// or relying party stores nothing, nor does a state made for another
// browser or member, a spent one or an old one.
func TestRegistrationRefused(t *testing.T) {
	e := newEnv(t)
	other := e.addMember("bob@example.org")
	for _, tc := range []struct {
		name   string
		forge  func(c *Ceremony, a *authenticator) []byte
		member model.Member
		want   error
	}{
		{"wrong origin", func(c *Ceremony, a *authenticator) []byte {
			a.origin = "https://evil.example"
			return a.create(c.Options)
		}, e.member, ErrRefused},
		{"wrong rp id", func(c *Ceremony, a *authenticator) []byte { a.rpID = "evil.example"; return a.create(c.Options) }, e.member, ErrRefused},
		{"wrong challenge", func(c *Ceremony, a *authenticator) []byte {
			other, _ := e.svc.BeginRegistration(t.Context(), e.tenant, e.member, browser)
			return a.create(other.Options)
		}, e.member, ErrRefused},
		{"malformed", func(c *Ceremony, a *authenticator) []byte { return []byte(`{"id":`) }, e.member, ErrMalformed},
		{"not a creation", func(c *Ceremony, a *authenticator) []byte { return a.sign(parseOptions(t, c.Options).Challenge) }, e.member, ErrMalformed},
		{"another member's state", func(c *Ceremony, a *authenticator) []byte { return a.create(c.Options) }, other, ErrExpired},
		{"another browser's state", func(c *Ceremony, a *authenticator) []byte {
			theirs, _ := e.svc.BeginRegistration(t.Context(), e.tenant, e.member, "another browser")
			c.State = theirs.State
			return a.create(c.Options)
		}, e.member, ErrExpired},
		{"expired", func(c *Ceremony, a *authenticator) []byte {
			e.clock.Advance(11 * time.Minute)
			return a.create(c.Options)
		}, e.member, ErrExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := e.svc.BeginRegistration(t.Context(), e.tenant, e.member, browser)
			if err != nil {
				t.Fatal(err)
			}
			a := newAuthenticator(t, origin, rpID)
			resp := tc.forge(&c, a)
			_, err = e.svc.FinishRegistration(t.Context(), e.tenant, tc.member, browser, c.State, "Key", resp, "")
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if list, _ := e.svc.List(t.Context(), e.tenant.ID, tc.member.ID); len(list) != 0 {
				t.Fatalf("stored: %+v", list)
			}
		})
	}
	if !e.audited("passkey.enrol_failure", "verification_failed") || !e.audited("passkey.enrol_failure", "malformed") {
		t.Fatal("failures not audited")
	}

	// One state registers once, and one authenticator once.
	c, _ := e.svc.BeginRegistration(t.Context(), e.tenant, e.member, browser)
	a := newAuthenticator(t, origin, rpID)
	resp := a.create(c.Options)
	if _, err := e.svc.FinishRegistration(t.Context(), e.tenant, e.member, browser, c.State, "Key", resp, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.FinishRegistration(t.Context(), e.tenant, e.member, browser, c.State, "Key", resp, ""); !errors.Is(err, ErrExpired) {
		t.Fatalf("replayed registration: %v", err)
	}
	c, _ = e.svc.BeginRegistration(t.Context(), e.tenant, e.member, browser)
	if o := string(c.Options); !strings.Contains(o, a.credID()) || !strings.Contains(o, `"residentKey":"required"`) {
		t.Fatalf("options exclude the registered passkey and ask for a discoverable one: %s", o)
	}
	if _, err := e.svc.FinishRegistration(t.Context(), e.tenant, e.member, browser, c.State, "Again", a.create(c.Options), ""); !errors.Is(err, ErrRefused) {
		t.Fatalf("the same credential twice: %v", err)
	}
}

// TestSignInRefused is the bad input of a sign-in: each forged or stale
// response is refused with nothing used up but its own challenge, and
// the failure audited.
func TestSignInRefused(t *testing.T) {
	e := newEnv(t)
	lots := throttle.Rate{Burst: 1000, Every: time.Second} // this test counts failures, not guesses
	e.svc.Throttle.AccountAddress, e.svc.Throttle.Account, e.svc.Throttle.IP = lots, lots, lots
	a := newAuthenticator(t, origin, rpID)
	e.register(e.member, a, "Laptop")
	other := e.addMember("bob@example.org")
	b := newAuthenticator(t, origin, rpID)
	e.register(other, b, "Bob's")

	for _, tc := range []struct {
		name     string
		memberID string
		forge    func(c *Ceremony) []byte
		want     error
		reason   string
	}{
		{"wrong challenge", "", func(c *Ceremony) []byte {
			return a.sign(b64.EncodeToString([]byte("not the challenge, but long enough")))
		}, ErrRefused, "verification_failed"},
		{"wrong origin", "", func(c *Ceremony) []byte { a.origin = "https://bakers.example.evil"; return a.get(c.Options) }, ErrRefused, "verification_failed"},
		{"wrong rp id", "", func(c *Ceremony) []byte { a.rpID = "evil.example"; return a.get(c.Options) }, ErrRefused, "verification_failed"},
		{"unknown credential", "", func(c *Ceremony) []byte {
			stranger := newAuthenticator(t, origin, rpID)
			stranger.handle = []byte(e.member.ID)
			return stranger.get(c.Options)
		}, ErrRefused, "unknown_credential"},
		{"counter going backwards", "", func(c *Ceremony) []byte { a.count = 1; return a.get(c.Options) }, ErrRefused, "counter"},
		{"malformed JSON", "", func(c *Ceremony) []byte { return []byte(`{"id":"x","type":"public-key","response":{`) }, ErrMalformed, "malformed"},
		{"a registration response", "", func(c *Ceremony) []byte { return newAuthenticator(t, origin, rpID).create(c.Options) }, ErrMalformed, "malformed"},
		{"no user verification alone", "", func(c *Ceremony) []byte { a.uv = false; return a.get(c.Options) }, ErrRefused, "verification_failed"},
		{"user handle of another member", "", func(c *Ceremony) []byte {
			a.handle = []byte(other.ID)
			defer func() { a.handle = []byte(e.member.ID) }()
			return a.get(c.Options)
		}, ErrRefused, "verification_failed"},
		{"another member's passkey as second factor", e.member.ID, func(c *Ceremony) []byte { return b.get(c.Options) }, ErrRefused, "unknown_credential"},
		{"another browser's state", "", func(c *Ceremony) []byte {
			c.State = e.beginFor("another browser").State
			return a.get(c.Options)
		}, ErrExpired, "expired"},
		{"passwordless state as second factor", e.member.ID, func(c *Ceremony) []byte {
			c.State = e.begin(nil).State
			return a.get(c.Options)
		}, ErrExpired, "expired"},
		{"expired state", "", func(c *Ceremony) []byte { e.clock.Advance(11 * time.Minute); return a.get(c.Options) }, ErrExpired, "expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a.origin, a.rpID, a.uv = origin, rpID, true
			var m *model.Member
			if tc.memberID != "" {
				m = &e.member
			}
			c := e.begin(m)
			_, err := e.finish(tc.memberID, c, tc.forge(&c))
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if !e.audited("passkey.failure", tc.reason) {
				t.Fatalf("no passkey.failure with reason %s", tc.reason)
			}
			e.clock.Advance(time.Second)
		})
	}

	// A replayed assertion: the same response again, then with a new state.
	a.origin, a.rpID, a.uv = origin, rpID, true
	a.count += 10
	c := e.begin(nil)
	resp := a.get(c.Options)
	if _, err := e.finish("", c, resp); err != nil {
		t.Fatal(err)
	}
	if _, err := e.finish("", c, resp); !errors.Is(err, ErrExpired) || !e.audited("passkey.failure", "replayed") {
		t.Fatalf("replayed with its state: %v", err)
	}
	if _, err := e.finish("", e.begin(nil), resp); !errors.Is(err, ErrRefused) {
		t.Fatalf("replayed with a new state: %v", err)
	}

	// A disabled member's passkey stops working at once.
	if _, err := e.st.Members().Update(t.Context(), e.tenant.ID, e.member.ID, func(m model.Member) (model.Member, error) {
		m.Disabled = true
		return m, nil
	}); err != nil {
		t.Fatal(err)
	}
	c = e.begin(nil)
	if _, err := e.finish("", c, a.get(c.Options)); !errors.Is(err, ErrRefused) || !e.audited("passkey.failure", "disabled") {
		t.Fatalf("disabled member: %v", err)
	}
}

func (e *env) beginFor(binding string) Ceremony {
	e.t.Helper()
	c, err := e.svc.BeginSignIn(e.t.Context(), e.tenant, nil, binding)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// TestSignInThrottled: guesses at one passkey from one address stop after
// the account-and-address burst, before anything is checked, and a
// member's second-factor passkey shares their code's buckets.
func TestSignInThrottled(t *testing.T) {
	e := newEnv(t)
	a := newAuthenticator(t, origin, rpID)
	e.register(e.member, a, "Laptop")
	var throttled *mfa.Throttled
	for i := range 6 {
		c := e.begin(nil)
		a.rpID = "evil.example"
		_, err := e.finish("", c, a.get(c.Options))
		if i < 5 && !errors.Is(err, ErrRefused) {
			t.Fatalf("try %d: %v", i, err)
		}
		if i == 5 && !errors.As(err, &throttled) {
			t.Fatalf("sixth try: %v, want throttled", err)
		}
	}
	a.rpID = rpID
	c := e.begin(nil)
	if _, err := e.finish("", c, a.get(c.Options)); !errors.As(err, &throttled) {
		t.Fatalf("a right passkey while throttled: %v", err)
	}
	e.clock.Advance(time.Hour)
	c = e.begin(nil)
	if _, err := e.finish("", c, a.get(c.Options)); err != nil {
		t.Fatalf("after waiting: %v", err)
	}

	// The second factor draws on the buckets a member's codes use.
	for range 5 {
		wait, err := e.svc.Throttle.Allow(t.Context(), e.tenant.ID, mfa.ThrottleAccount(e.member.ID), "192.0.2.1")
		if err != nil || wait > 0 {
			t.Fatal(wait, err)
		}
	}
	c = e.begin(&e.member)
	if _, err := e.finish(e.member.ID, c, a.get(c.Options)); !errors.As(err, &throttled) {
		t.Fatalf("second factor after five wrong codes: %v", err)
	}
}

// TestCleanName: names are trimmed, stripped of control characters and cut.
func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{
		"  Laptop  ":            "Laptop",
		"Key\x00\n":             "Key",
		"\t":                    "",
		strings.Repeat("é", 70): strings.Repeat("é", 64),
		"YubiKey 5 · bureau":    "YubiKey 5 · bureau",
	} {
		if got := CleanName(in); got != want {
			t.Errorf("CleanName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRename: a member renames their own passkey (trimmed, audited); a
// bad name is refused, not repaired, and another member's passkey is not
// found, exactly like a missing one.
func TestRename(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	p := e.register(e.member, newAuthenticator(t, origin, rpID), "Passkey 1")
	other := e.addMember("bob@example.org")
	for _, bad := range []string{"", "   ", "Key\nforged line", "Tab\there", strings.Repeat("é", MaxNameLen+1), "Del\x7f"} {
		if err := e.svc.Rename(ctx, e.tenant.ID, e.member.ID, p.ID, bad, "member:x", ""); !errors.Is(err, ErrBadName) {
			t.Errorf("rename to %q: %v, want ErrBadName", bad, err)
		}
	}
	for _, tc := range []struct{ member, id string }{{other.ID, p.ID}, {e.member.ID, "missing"}} {
		if err := e.svc.Rename(ctx, e.tenant.ID, tc.member, tc.id, "Mine now", "member:x", ""); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("rename %s of member %s: %v, want not found", tc.id, tc.member, err)
		}
	}
	if e.audited("passkey.renamed", "") {
		t.Fatal("a refused rename was audited")
	}
	long := strings.Repeat("é", MaxNameLen)
	for _, name := range []string{"  Work laptop ", long} {
		if err := e.svc.Rename(ctx, e.tenant.ID, e.member.ID, p.ID, name, "member:"+e.member.ID, "192.0.2.1"); err != nil {
			t.Fatalf("rename to %q: %v", name, err)
		}
		list, err := e.svc.List(ctx, e.tenant.ID, e.member.ID)
		if err != nil || len(list) != 1 || list[0].Name != strings.TrimSpace(name) {
			t.Fatalf("after renaming to %q: %+v %v", name, list, err)
		}
	}
	if !e.audited("passkey.renamed", "") {
		t.Fatal("rename not audited")
	}
}
