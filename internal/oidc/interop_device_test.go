package oidc_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/testenv"
)

// TestXOAuth2DeviceFlow: x/oauth2's device flow (Config.DeviceAuth and
// DeviceAccessToken, with the endpoint go-oidc read from discovery)
// against the real server on each store, the member approving over HTTP
// as a browser would; then a denial.
func TestXOAuth2DeviceFlow(t *testing.T) {
	for _, backend := range []testenv.Backend{testenv.SQLite, testenv.Postgres} {
		t.Run(string(backend), func(t *testing.T) { xoauth2Device(t, backend) })
	}
}

func xoauth2Device(t *testing.T, backend testenv.Backend) {
	s := testenv.Start(t, backend, nil)
	s.MustCLI(t, rpPassword+"\n", "member", "add", "--email", rpEmail, "--name", "Ada Lovelace", "--password-stdin")
	var c rp
	out := s.MustCLI(t, "", "client", "add", "--name", "Lobby screen", "--public", "--json",
		"--grant-types", model.GrantDeviceCode+",refresh_token")
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatal(err)
	}
	time.Sleep(clients.DefaultCacheTTL) // the server learns of CLI changes within this
	ctx := oidc.ClientContext(context.Background(), s.Client(t))
	provider, err := oidc.NewProvider(ctx, s.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg := oauth2.Config{ClientID: c.ID, Endpoint: provider.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email", oidc.ScopeOfflineAccess}}
	if cfg.Endpoint.DeviceAuthURL != s.URL+"/oauth/device_authorization" {
		t.Fatalf("discovery's device endpoint: %q", cfg.Endpoint.DeviceAuthURL)
	}
	browser := s.Client(t)
	signInBrowser(t, browser, s.URL)

	da, err := cfg.DeviceAuth(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !userCodeShape.MatchString(da.UserCode) || da.VerificationURI != s.URL+"/device" || da.Interval != 5 {
		t.Fatalf("device authorization: %+v", da)
	}
	approveDevice(t, browser, da.VerificationURIComplete, "approve")
	tok, err := cfg.DeviceAccessToken(ctx, da)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: c.ID}).Verify(ctx, raw)
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		Email string `json:"email"`
	}
	if err := idt.Claims(&claims); err != nil || claims.Email != rpEmail || tok.RefreshToken == "" {
		t.Fatalf("claims %+v (%v), refresh token %q", claims, err, tok.RefreshToken)
	}
	info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil || info.Email != rpEmail {
		t.Fatalf("userinfo: %+v, %v", info, err)
	}
	tok.Expiry = time.Now().Add(-time.Minute) // make x/oauth2 refresh
	if next, err := cfg.TokenSource(ctx, tok).Token(); err != nil || next.RefreshToken == tok.RefreshToken {
		t.Fatalf("refresh: %v", err)
	}

	da, err = cfg.DeviceAuth(ctx)
	if err != nil {
		t.Fatal(err)
	}
	approveDevice(t, browser, da.VerificationURIComplete, "deny")
	_, err = cfg.DeviceAccessToken(ctx, da)
	if re, ok := errors.AsType[*oauth2.RetrieveError](err); !ok || re.ErrorCode != "access_denied" {
		t.Fatalf("denied: %v", err)
	}
}

// approveDevice plays the member: opens the verification URI (with its
// code) in the signed-in browser, submits the code and answers decision.
func approveDevice(t *testing.T, browser *http.Client, verificationURIComplete, decision string) {
	t.Helper()
	u, err := url.Parse(verificationURIComplete)
	if err != nil {
		t.Fatal(err)
	}
	base := u.Scheme + "://" + u.Host
	token := csrfOf(t, browser, http.MethodGet, verificationURIComplete, nil)
	loc := postBrowserForm(t, browser, base+"/device", url.Values{"csrf_token": {token}, "user_code": {u.Query().Get("user_code")}})
	if !strings.HasPrefix(loc, "/device/confirm?ref=") {
		t.Fatalf("code entry sent the browser to %q", loc)
	}
	token = csrfOf(t, browser, http.MethodGet, base+loc, nil)
	ref, _ := url.ParseQuery(strings.TrimPrefix(loc, "/device/confirm?"))
	res, err := browser.PostForm(base+"/device/confirm", url.Values{"csrf_token": {token}, "ref": {ref.Get("ref")}, "decision": {decision}})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if body, _ := io.ReadAll(res.Body); res.StatusCode != http.StatusOK {
		t.Fatalf("answer %s: %d\n%s", decision, res.StatusCode, body)
	}
}

// postBrowserForm posts a same-origin form and returns where it redirects.
func postBrowserForm(t *testing.T, browser *http.Client, target string, form url.Values) string {
	t.Helper()
	res, err := browser.PostForm(target, form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		body, _ := io.ReadAll(res.Body)
		t.Fatalf("POST %s: %d\n%s", target, res.StatusCode, body)
	}
	return res.Header.Get("Location")
}
