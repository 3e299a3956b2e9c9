package oidc_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/upstream"
	upoidc "github.com/guildgate/guildgate/internal/upstream/oidc"
	"github.com/guildgate/guildgate/internal/upstream/oidc/oidctest"
)

// entraOP plays Entra ID's multi-tenant endpoint: discovery names an issuer
// template, each token its tenant's issuer and tid.
func entraOP(t *testing.T, tid, iss string) *oidctest.Provider {
	p := newOP(t)
	p.Discovery = func(doc map[string]any) { doc["issuer"] = p.URL + "/{tenantid}/v2.0" }
	p.Tamper = func(c map[string]any) {
		c["tid"] = tid
		c["iss"] = strings.ReplaceAll(iss, "URL", p.URL)
	}
	return p
}

func TestEntraMultiTenant(t *testing.T) {
	entra := func(c *model.Connection) {
		c.IssuerMode = model.IssuerEntraMultiTenant
		c.EntraTenants = []model.EntraTenant{{ID: "tid-ok", Domains: []string{"acme.example"}}}
	}
	p := entraOP(t, "tid-ok", "URL/tid-ok/v2.0")
	got, err := signIn(t, p, connect(t, p, entra))
	// The tenant is reported, for the linking rules to check its domains.
	if err != nil || got.Issuer != p.URL+"/tid-ok/v2.0" || got.Tenant != "tid-ok" {
		t.Fatalf("allowed tenant: %+v, %v", got, err)
	}
	for name, p := range map[string]*oidctest.Provider{
		"tenant not allowed":    entraOP(t, "tid-other", "URL/tid-other/v2.0"),
		"issuer of another tid": entraOP(t, "tid-ok", "URL/tid-other/v2.0"),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := signIn(t, p, connect(t, p, entra))
			wantKind(t, err, upstream.Invalid)
		})
	}
	// In exact mode the same template discovery is a wrong issuer.
	_, err = upoidc.New(context.Background(), connection(p, nil), p.ClientSecret,
		upoidc.Options{Outbound: reach(p), Now: func() time.Time { return clock }})
	wantKind(t, err, upstream.Misconfigured)
}

func TestDiscoveryProblems(t *testing.T) {
	p := newOP(t)
	p.Discovery = func(doc map[string]any) { doc["token_endpoint"] = "http://idp.example/token" }
	_, err := upoidc.New(context.Background(), connection(p, nil), p.ClientSecret, upoidc.Options{Outbound: reach(p)})
	if upstream.KindOf(err) != upstream.Misconfigured || !strings.Contains(err.Error(), "must be https") {
		t.Fatalf("http token endpoint: %v", err)
	}
}

func TestCheckEndpoint(t *testing.T) {
	for u, ok := range map[string]bool{
		"https://idp.example/authorize": true, "https://127.0.0.1:8443/token": true,
		"http://localhost:8000/token": false, "http://127.0.0.1/x": false, "http://[::1]:9/x": false,
		"http://idp.example/token": false,
		"ftp://idp.example":        false, "/relative": false, "https://user:pw@idp.example/": false,
	} {
		if err := upstream.CheckEndpoint(u); (err == nil) != ok {
			t.Errorf("CheckEndpoint(%q) = %v", u, err)
		}
	}
}

func TestEndSessionURL(t *testing.T) {
	p := newOP(t)
	k := connect(t, p, nil)
	u, ok := k.EndSessionURL("the.id.token", "https://sso.guild.example/auth/sso/signed-out", "st")
	if !ok || !strings.HasPrefix(u, p.URL+"/end-session?") || !strings.Contains(u, "id_token_hint=the.id.token") ||
		!strings.Contains(u, "client_id=guildgate") || !strings.Contains(u, "state=st") {
		t.Fatalf("end-session URL %q, %v", u, ok)
	}
	p.Discovery = func(doc map[string]any) { delete(doc, "end_session_endpoint") }
	if _, ok := connect(t, p, nil).EndSessionURL("x", "y", "z"); ok {
		t.Fatal("end-session URL without an endpoint")
	}
}
