package connections_test

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/connections"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

type env struct {
	svc    *connections.Service
	st     store.Store
	tenant model.Tenant
	now    time.Time
}

func newEnv(t *testing.T) *env {
	st := storetest.NewSQLite(t)
	key := make([]byte, secrets.KeySize)
	_, _ = rand.Read(key)
	kr, err := secrets.NewKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{st: st, now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		tenant: model.Tenant{ID: "t1", Slug: "default", Issuer: "https://sso.guild.example"}}
	if err := st.Tenants().Create(t.Context(), e.tenant); err != nil {
		t.Fatal(err)
	}
	e.svc = &connections.Service{Store: st.Connections(), SetupLinks: st.SetupLinks(), Groups: st.Groups(),
		Audit: st.Audit(), Secrets: kr, Now: func() time.Time { return e.now }}
	return e
}

func (e *env) draft(t *testing.T) model.Connection {
	draft := connections.Input{ConnectionSettings: model.ConnectionSettings{Name: "Acme", Domains: []string{"acme.example"}}}
	c, err := e.svc.Create(t.Context(), "cli", "t1", draft)
	if err != nil || connections.Ready(c) {
		t.Fatalf("draft: %+v, %v", c, err)
	}
	return c
}

var details = connections.SetupInput{DiscoveryURL: "https://acme.okta.example", ClientID: "0oa1",
	ClientSecret: "from-the-it-team", Contact: "Grace, Acme IT"}

func pass(context.Context, model.Connection, string) error { return nil }

func wantUnusable(t *testing.T, err error, words string) {
	t.Helper()
	if !errors.Is(err, connections.ErrLinkUnusable) || !strings.Contains(err.Error(), words) {
		t.Fatalf("got %v; want an unusable link saying %q", err, words)
	}
}

// TestSetupLinkOnce: a link completes its connection once; the secret is
// sealed, the completion audited, and the link refused afterwards.
func TestSetupLinkOnce(t *testing.T) {
	e := newEnv(t)
	c := e.draft(t)
	token, _, err := e.svc.CreateSetupLink(t.Context(), "member:admin", "t1", c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var tested model.Connection
	var testedSecret string
	saved, err := e.svc.CompleteSetup(t.Context(), "t1", token, details, func(_ context.Context, c model.Connection, s string) error {
		tested, testedSecret = c, s
		return nil
	}, "192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	if !connections.Ready(saved) || saved.ClientID != "0oa1" || tested.DiscoveryURL != details.DiscoveryURL || testedSecret != details.ClientSecret {
		t.Fatalf("saved %+v after testing %+v", saved, tested)
	}
	if secret, err := e.svc.Secret(saved); err != nil || secret != details.ClientSecret || strings.Contains(saved.ClientSecret, details.ClientSecret) {
		t.Fatalf("secret at rest %q opens to %q, %v", saved.ClientSecret, secret, err)
	}
	events, err := e.st.Audit().List(t.Context(), "t1", store.AuditQuery{Action: "connection.setup.complete"})
	if err != nil || len(events.Items) != 1 {
		t.Fatalf("audit: %+v, %v", events, err)
	}
	if d := events.Items[0].Detail; d["contact"] != "Grace, Acme IT" || d["ip"] != "192.0.2.7" || d["link_created_by"] != "member:admin" {
		t.Fatalf("audit detail %v", d)
	}
	_, err = e.svc.CompleteSetup(t.Context(), "t1", token, details, pass, "192.0.2.7")
	wantUnusable(t, err, "already been used")
	_, _, err = e.svc.OpenSetupLink(t.Context(), "t1", token)
	wantUnusable(t, err, "already been used")
}

func TestSetupLinkRefusals(t *testing.T) {
	e := newEnv(t)
	c := e.draft(t)
	token, _, err := e.svc.CreateSetupLink(t.Context(), "cli", "t1", c.ID)
	if err != nil {
		t.Fatal(err)
	}
	// A failing test saves nothing and keeps the link.
	_, err = e.svc.CompleteSetup(t.Context(), "t1", token, details, func(context.Context, model.Connection, string) error {
		return errors.New("the JWKS is unreachable")
	}, "")
	if err == nil || !strings.Contains(err.Error(), "JWKS") {
		t.Fatalf("failed test: %v", err)
	}
	// Bad input saves nothing and keeps the link.
	bad := details
	bad.DiscoveryURL, bad.ClientSecret = "http://idp.example", ""
	_, err = e.svc.CompleteSetup(t.Context(), "t1", token, bad, pass, "")
	if inv, ok := errors.AsType[*problem.Invalid](err); !ok || len(inv.Problems) != 2 {
		t.Fatalf("bad input: %v", err)
	}
	if got, _ := e.svc.Get(t.Context(), "t1", c.ID); connections.Ready(got) {
		t.Fatal("a refused completion saved the connection")
	}
	_, err = e.svc.CompleteSetup(t.Context(), "t1", "not-a-token", details, pass, "")
	wantUnusable(t, err, "not valid")

	e.now = e.now.Add(connections.SetupLinkTTL)
	_, err = e.svc.CompleteSetup(t.Context(), "t1", token, details, pass, "")
	wantUnusable(t, err, "expired")
}

// TestSetupLinkRace: two submissions of one link cannot both save.
func TestSetupLinkRace(t *testing.T) {
	e := newEnv(t)
	c := e.draft(t)
	token, _, _ := e.svc.CreateSetupLink(t.Context(), "cli", "t1", c.ID)
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			_, err := e.svc.CompleteSetup(context.Background(), "t1", token, details, pass, "")
			errs <- err
		}()
	}
	ok := 0
	for range 8 {
		if err := <-errs; err == nil {
			ok++
		} else if !errors.Is(err, connections.ErrLinkUnusable) {
			t.Errorf("unexpected: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d submissions succeeded, want 1", ok)
	}
}

// TestSetupLinkAttemptsLimited: each connection test through a link is
// counted; once MaxSetupAttempts have run, the link runs no more (its
// holder has no account, and each test makes the server contact the URLs
// they typed) and says so, while input refused before any test costs
// nothing.
func TestSetupLinkAttemptsLimited(t *testing.T) {
	e := newEnv(t)
	c := e.draft(t)
	token, _, err := e.svc.CreateSetupLink(t.Context(), "cli", "t1", c.ID)
	if err != nil {
		t.Fatal(err)
	}
	tests := 0
	failing := func(context.Context, model.Connection, string) error { tests++; return errors.New("unreachable") }
	bad := details
	bad.DiscoveryURL = "http://idp.example"
	for range connections.MaxSetupAttempts {
		if _, err := e.svc.CompleteSetup(t.Context(), "t1", token, bad, failing, ""); !isInvalid(err) {
			t.Fatalf("bad input: %v", err)
		}
		if _, err := e.svc.CompleteSetup(t.Context(), "t1", token, details, failing, ""); err == nil || errors.Is(err, connections.ErrLinkUnusable) {
			t.Fatalf("attempt %d: %v", tests, err)
		}
	}
	_, err = e.svc.CompleteSetup(t.Context(), "t1", token, details, func(context.Context, model.Connection, string) error {
		tests++
		return nil
	}, "")
	wantUnusable(t, err, "run out of connection tests")
	if tests != connections.MaxSetupAttempts {
		t.Fatalf("%d tests ran; want %d", tests, connections.MaxSetupAttempts)
	}
	_, _, err = e.svc.OpenSetupLink(t.Context(), "t1", token)
	wantUnusable(t, err, "run out of connection tests")
}

func isInvalid(err error) bool {
	_, ok := errors.AsType[*problem.Invalid](err)
	return ok
}
