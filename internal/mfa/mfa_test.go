package mfa

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
	"github.com/guildgate/guildgate/internal/throttle"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

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
	c := &clock{t: time.Date(2026, 3, 1, 9, 0, 10, 0, time.UTC)}
	kr, err := secrets.NewKeyring(secrets.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, st: st, clock: c}
	e.svc = &Service{Factors: st.Factors(), Passkeys: st.Passkeys(), Members: st.Members(), Secrets: kr, Audit: st.Audit(), Now: c.Now,
		Throttle: &throttle.Limiter{Store: st.Throttles(), Now: c.Now}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx := context.Background()
	e.tenant = model.Tenant{ID: ids.NewUUID(), Slug: "bakers", Name: "Bakers", Issuer: "https://bakers.example", CreatedAt: c.t, UpdatedAt: c.t}
	if err := st.Tenants().Create(ctx, e.tenant); err != nil {
		t.Fatal(err)
	}
	e.member = model.Member{ID: ids.NewUUID(), TenantID: e.tenant.ID, Email: "ann@example.org", Name: "Ann",
		Status: model.StatusCurrent, CreatedAt: c.t, UpdatedAt: c.t}
	if err := st.Members().Create(ctx, e.member); err != nil {
		t.Fatal(err)
	}
	return e
}

// enrol sets up an authenticator and returns its secret and the recovery codes.
func (e *env) enrol() (string, []string) {
	e.t.Helper()
	en, err := e.svc.BeginTOTP(e.tenant, e.member, "Bakers")
	if err != nil {
		e.t.Fatal(err)
	}
	if !strings.HasPrefix(en.URI, "otpauth://totp/") || !strings.Contains(en.URI, "secret="+en.Secret) {
		e.t.Fatalf("uri %q", en.URI)
	}
	codes, err := e.svc.ConfirmTOTP(e.t.Context(), e.tenant, e.member, en.Pending, e.code(en.Secret, 0), "192.0.2.1")
	if err != nil {
		e.t.Fatal(err)
	}
	return en.Secret, codes
}

func (e *env) code(secret string, offset time.Duration) string {
	c, err := totp.GenerateCode(secret, e.clock.Now().Add(offset))
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// wrongCode is a well-formed code that no step in the window produces.
func (e *env) wrongCode(secret string) string {
	for i := 0; ; i++ {
		c := fmt.Sprintf("%06d", i)
		if _, ok, _ := matchStep(secret, c, e.clock.Now()); !ok {
			return c
		}
	}
}

func (e *env) verify(code string) (Method, error) {
	return e.svc.Verify(e.t.Context(), e.tenant.ID, e.member.ID, code, "192.0.2.1")
}

func (e *env) audit(action string) []model.AuditEvent {
	evs, err := e.st.Audit().List(e.t.Context(), e.tenant.ID, store.AuditQuery{})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []model.AuditEvent
	for _, ev := range evs.Items {
		if ev.Action == action {
			out = append(out, ev)
		}
	}
	return out
}

func TestEnrolStoresTheSecretSealed(t *testing.T) {
	e := newEnv(t)
	secret, codes := e.enrol()
	if len(codes) != RecoveryCount {
		t.Fatalf("%d recovery codes", len(codes))
	}
	stored, err := e.st.Factors().GetTOTP(t.Context(), e.tenant.ID, e.member.ID)
	if err != nil || strings.Contains(stored.Secret, secret) {
		t.Fatalf("secret stored in the clear or missing: %v", err)
	}
	rcs, _ := e.st.Factors().RecoveryCodes(t.Context(), e.tenant.ID, e.member.ID)
	for _, rc := range rcs {
		for _, c := range codes {
			if strings.Contains(rc.Hash, strings.ReplaceAll(c, "-", "")) {
				t.Fatal("recovery code stored in the clear")
			}
		}
	}
	if len(e.audit("mfa.totp.enrolled")) != 1 {
		t.Fatal("enrolment not audited")
	}
	// The code that confirmed the enrolment cannot sign in.
	if _, err := e.verify(e.code(secret, 0)); !errors.Is(err, ErrIncorrect) {
		t.Fatalf("confirming code reused: %v", err)
	}
}

func TestEnrolRefusals(t *testing.T) {
	e := newEnv(t)
	en, _ := e.svc.BeginTOTP(e.tenant, e.member, "Bakers")
	ctx := t.Context()
	if _, err := e.svc.ConfirmTOTP(ctx, e.tenant, e.member, en.Pending, "12345", ""); !errors.Is(err, ErrMalformed) {
		t.Fatalf("short code: %v", err)
	}
	wrong := e.code(en.Secret, 5*time.Minute)
	if _, err := e.svc.ConfirmTOTP(ctx, e.tenant, e.member, en.Pending, wrong, ""); !errors.Is(err, ErrIncorrect) {
		t.Fatalf("wrong code: %v", err)
	}
	other := e.member
	other.ID = ids.NewUUID()
	if _, err := e.svc.ConfirmTOTP(ctx, e.tenant, other, en.Pending, e.code(en.Secret, 0), ""); !errors.Is(err, ErrExpired) {
		t.Fatalf("form of another member: %v", err)
	}
	if _, err := e.svc.ConfirmTOTP(ctx, e.tenant, e.member, en.Pending+"x", e.code(en.Secret, 0), ""); !errors.Is(err, ErrExpired) {
		t.Fatalf("edited form: %v", err)
	}
	e.clock.Advance(enrolTTL + time.Minute)
	if _, err := e.svc.ConfirmTOTP(ctx, e.tenant, e.member, en.Pending, e.code(en.Secret, 0), ""); !errors.Is(err, ErrExpired) {
		t.Fatalf("stale form: %v", err)
	}
	if _, err := e.st.Factors().GetTOTP(ctx, e.tenant.ID, e.member.ID); !errors.Is(err, model.ErrNotFound) {
		t.Fatal("a refused enrolment stored a factor")
	}
	e.enrol()
	en, _ = e.svc.BeginTOTP(e.tenant, e.member, "Bakers")
	if _, err := e.svc.ConfirmTOTP(ctx, e.tenant, e.member, en.Pending, e.code(en.Secret, 0), ""); !errors.Is(err, ErrEnrolled) {
		t.Fatalf("second authenticator: %v", err)
	}
}

// TestCodeWorksOnce: each code once, one step of skew either way, and an
// older step after a newer one is refused too.
func TestCodeWorksOnce(t *testing.T) {
	e := newEnv(t)
	secret, _ := e.enrol()
	e.clock.Advance(30 * time.Second)
	code := e.code(secret, 0)
	if m, err := e.verify(code); err != nil || m != MethodTOTP {
		t.Fatalf("good code: %v %v", m, err)
	}
	if _, err := e.verify(code); !errors.Is(err, ErrIncorrect) {
		t.Fatalf("replayed code: %v", err)
	}
	if ev := e.audit("mfa.failure"); len(ev) != 1 || ev[0].Detail["reason"] != "replayed_code" {
		t.Fatalf("replay audit %+v", ev)
	}
	e.clock.Advance(2 * time.Minute)
	if _, err := e.verify(e.code(secret, 30*time.Second)); err != nil {
		t.Fatalf("a step ahead (skew): %v", err)
	}
	if _, err := e.verify(e.code(secret, 0)); !errors.Is(err, ErrIncorrect) {
		t.Fatalf("an earlier step after a later one: %v", err)
	}
	e.clock.Advance(5 * time.Minute)
	if _, err := e.verify(e.code(secret, -60*time.Second)); !errors.Is(err, ErrIncorrect) {
		t.Fatalf("two steps old: %v", err)
	}
	if _, err := e.verify(e.code(secret, -30*time.Second)); err != nil {
		t.Fatalf("a step behind (skew): %v", err)
	}
}

func TestRecoveryCodeWorksOnce(t *testing.T) {
	e := newEnv(t)
	_, codes := e.enrol()
	if m, err := e.verify(strings.ToUpper(codes[3])); err != nil || m != MethodRecovery {
		t.Fatalf("recovery code: %v %v", m, err)
	}
	if _, err := e.verify(codes[3]); !errors.Is(err, ErrIncorrect) {
		t.Fatalf("recovery code twice: %v", err)
	}
	st, err := e.svc.Status(t.Context(), e.tenant.ID, e.member.ID)
	if err != nil || st.RecoveryLeft != RecoveryCount-1 || !st.TOTP {
		t.Fatalf("status %+v %v", st, err)
	}
	renewed, err := e.svc.NewRecoveryCodes(t.Context(), e.tenant, e.member, "")
	if err != nil || len(renewed) != RecoveryCount {
		t.Fatal(err)
	}
	if _, err := e.verify(codes[4]); !errors.Is(err, ErrIncorrect) {
		t.Fatalf("an old code after renewal: %v", err)
	}
	if _, err := e.verify(renewed[0]); err != nil {
		t.Fatalf("a renewed code: %v", err)
	}
}

func TestMalformedInputCostsNothing(t *testing.T) {
	e := newEnv(t)
	secret, _ := e.enrol()
	e.clock.Advance(30 * time.Second)
	for _, in := range []string{"", "12345", "1234567", "12345a", "١٢٣٤٥٦", strings.Repeat("1", 1000), "abcd-efgh-ijkl-mno1", "0000-0000-0000-0000"} {
		if _, err := e.verify(in); !errors.Is(err, ErrMalformed) {
			t.Fatalf("%q: %v", in, err)
		}
	}
	// Five wrong codes spend the burst; the sixth is throttled even if right.
	for range 5 {
		if _, err := e.verify(e.wrongCode(secret)); !errors.Is(err, ErrIncorrect) {
			t.Fatal(err)
		}
	}
	_, err := e.verify(e.code(secret, 0))
	if th, ok := errors.AsType[*Throttled](err); !ok || th.Wait <= 0 {
		t.Fatalf("sixth guess: %v", err)
	}
}

func TestDisabledMemberFactorsStopAtOnce(t *testing.T) {
	e := newEnv(t)
	secret, codes := e.enrol()
	e.clock.Advance(30 * time.Second)
	_, err := e.st.Members().Update(t.Context(), e.tenant.ID, e.member.ID, func(m model.Member) (model.Member, error) {
		m.Disabled = true
		return m, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.verify(e.code(secret, 0)); !errors.Is(err, ErrIncorrect) {
		t.Fatalf("disabled member's code: %v", err)
	}
	if _, err := e.verify(codes[0]); !errors.Is(err, ErrIncorrect) {
		t.Fatalf("disabled member's recovery code: %v", err)
	}
	if ev := e.audit("mfa.failure"); len(ev) != 2 || ev[0].Detail["reason"] != "disabled" {
		t.Fatalf("audit %+v", ev)
	}
}

func TestResetRemovesEverything(t *testing.T) {
	e := newEnv(t)
	secret, codes := e.enrol()
	for _, id := range []string{"k1", "k2"} {
		if err := e.st.Passkeys().AddPasskey(t.Context(), model.Passkey{TenantID: e.tenant.ID, MemberID: e.member.ID, ID: id,
			Name: id, Record: []byte("{}"), CreatedAt: e.clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	if st, _ := e.svc.Status(t.Context(), e.tenant.ID, e.member.ID); st.Passkeys != 2 || !st.Any() {
		t.Fatalf("status before reset %+v", st)
	}
	gone, err := e.svc.Reset(t.Context(), e.tenant, e.member, "cli")
	if err != nil || !gone {
		t.Fatal(gone, err)
	}
	e.clock.Advance(30 * time.Second)
	if _, err := e.verify(e.code(secret, 0)); !errors.Is(err, ErrIncorrect) {
		t.Fatalf("code after reset: %v", err)
	}
	if _, err := e.verify(codes[0]); !errors.Is(err, ErrIncorrect) {
		t.Fatalf("recovery code after reset: %v", err)
	}
	if ev := e.audit("mfa.reset"); len(ev) != 1 || ev[0].Actor != "cli" || ev[0].Detail["removed"] != "true" ||
		ev[0].Detail["passkeys"] != "2" {
		t.Fatalf("audit %+v", ev)
	}
	st, _ := e.svc.Status(t.Context(), e.tenant.ID, e.member.ID)
	if st.Any() || st.RecoveryTotal != 0 || st.Passkeys != 0 {
		t.Fatalf("status after reset %+v", st)
	}
}

// TestHasSecondFactor: an authenticator or a passkey is a second factor,
// recovery codes alone are not, and the answer is always Status's Any.
func TestHasSecondFactor(t *testing.T) {
	ctx := t.Context()
	check := func(e *env, want bool) {
		t.Helper()
		got, err := e.svc.HasSecondFactor(ctx, e.tenant.ID, e.member.ID)
		st, serr := e.svc.Status(ctx, e.tenant.ID, e.member.ID)
		if err != nil || serr != nil || got != want || st.Any() != want {
			t.Fatalf("HasSecondFactor %v (%v), Status %+v (%v); want %v", got, err, st, serr, want)
		}
	}
	e := newEnv(t)
	check(e, false)
	if err := e.st.Factors().ReplaceRecoveryCodes(ctx, e.tenant.ID, e.member.ID, []string{"h1", "h2"}); err != nil {
		t.Fatal(err)
	}
	check(e, false)
	if err := e.st.Passkeys().AddPasskey(ctx, model.Passkey{TenantID: e.tenant.ID, MemberID: e.member.ID, ID: "k1",
		Name: "k1", Record: []byte("{}"), CreatedAt: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	check(e, true)

	e = newEnv(t)
	e.enrol()
	check(e, true)
	if _, err := e.svc.Reset(ctx, e.tenant, e.member, "cli"); err != nil {
		t.Fatal(err)
	}
	check(e, false)
}
