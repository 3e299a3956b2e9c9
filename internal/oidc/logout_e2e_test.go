package oidc_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/guildgate/guildgate/internal/testenv"
)

var logoutFormToken = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// TestLogoutEndToEnd: two relying parties (go-oidc + x/oauth2) signed in
// through one session, one with offline access. The other logs the member
// out with its ID token: no prompt, back to its registered URI with state,
// a logout token to each back-channel endpoint (one of which hangs without
// delaying the member), its access token dead, the offline refresh token
// alive, and prompt=none finding no session.
func TestLogoutEndToEnd(t *testing.T) {
	for _, backend := range []testenv.Backend{testenv.SQLite, testenv.Postgres} {
		t.Run(string(backend), func(t *testing.T) { logoutEndToEnd(t, backend) })
	}
}

func logoutEndToEnd(t *testing.T, backend testenv.Backend) {
	offlineRP, onlineRP := newLogoutBackchannelRP(t), newLogoutBackchannelRP(t)
	offlineRP.hold = make(chan struct{})
	a := startLogoutApp(t, backend)
	offline := a.addClient("--backchannel-logout-uri", offlineRP.srv.URL+"/bc", "--id-token-alg", "ES256")
	online := a.addClient("--backchannel-logout-uri", onlineRP.srv.URL+"/bc")
	logoutSettle()
	provider, err := oidc.NewProvider(a.ctx(), a.URL)
	a.must(err)
	browser := a.browser()
	a.signIn(browser)
	offTok, offID, offConf := a.codeFlow(browser, provider, offline, oidc.ScopeOfflineAccess)
	onTok, onID, onConf := a.codeFlow(browser, provider, online, "profile")
	sid := logoutSid(t, onID)
	if sid == "" || logoutSid(t, offID) != sid || offTok.RefreshToken == "" {
		t.Fatalf("sid %q / %q, refresh token %v", sid, logoutSid(t, offID), offTok.RefreshToken != "")
	}

	var meta struct {
		EndSession string `json:"end_session_endpoint"`
		JWKS       string `json:"jwks_uri"`
	}
	a.must(provider.Claims(&meta))
	q := url.Values{"id_token_hint": {onTok.Extra("id_token").(string)}, "client_id": {online.ID},
		"post_logout_redirect_uri": {"https://rp.example/bye"}, "state": {"bye state"}}
	start := time.Now()
	resp, _ := a.do(browser, "GET", meta.EndSession+"?"+q.Encode(), nil)
	if took := time.Since(start); took > time.Second {
		t.Errorf("logout took %v with a hanging back-channel endpoint", took)
	}
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "https://rp.example/bye?state=bye+state" {
		t.Fatalf("logout: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	offlineRP.release()
	keys := oidc.NewRemoteKeySet(a.ctx(), meta.JWKS)
	for rp, c := range map[*logoutBackchannelRP]logoutClient{offlineRP: offline, onlineRP: online} {
		logoutVerifyToken(t, a, keys, rp.token(t), c.ID, onID.Subject, sid)
	}

	if _, err := provider.UserInfo(a.ctx(), oauth2.StaticTokenSource(onTok)); err == nil {
		t.Error("userinfo accepted the access token of a grant the logout revoked")
	}
	offTok.Expiry = time.Now().Add(-time.Minute) // make the TokenSource refresh
	if next, err := offConf.TokenSource(a.ctx(), offTok).Token(); err != nil || next.AccessToken == offTok.AccessToken {
		t.Fatalf("offline refresh after logout: %v", err)
	}

	auth := onConf.AuthCodeURL("st-none", oidc.Nonce("n"), oauth2.SetAuthURLParam("prompt", "none"))
	resp, _ = a.do(browser, "GET", auth, nil)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if loc == nil || loc.Query().Get("error") != "login_required" || loc.Query().Get("state") != "st-none" {
		t.Fatalf("prompt=none after logout: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func logoutSid(t *testing.T, idt *oidc.IDToken) string {
	var c struct {
		Sid string `json:"sid"`
	}
	if err := idt.Claims(&c); err != nil {
		t.Fatal(err)
	}
	return c.Sid
}

// logoutVerifyToken validates a logout token as Back-Channel Logout 1.0
// §2.6 tells a relying party to: signature through the JWKS, typ, iss, aud,
// iat and exp, the event, sub or sid, and no nonce.
func logoutVerifyToken(t *testing.T, a *logoutApp, keys *oidc.RemoteKeySet, raw, clientID, sub, sid string) {
	t.Helper()
	payload, err := keys.VerifySignature(context.Background(), raw)
	if err != nil {
		t.Fatalf("logout token signature: %v", err)
	}
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.EdDSA})
	a.must(err)
	if typ := jws.Signatures[0].Header.ExtraHeaders[jose.HeaderType]; typ != "logout+jwt" {
		t.Errorf("typ %v", typ)
	}
	var c struct {
		Iss, Aud, Sub, Sid, Jti string
		Iat, Exp                int64
		Nonce                   *string
		Events                  map[string]json.RawMessage
	}
	a.must(json.Unmarshal(payload, &c))
	now := time.Now().Unix()
	if c.Iss != a.URL || c.Aud != clientID || c.Sub != sub || c.Sid != sid || c.Jti == "" || c.Nonce != nil ||
		c.Iat > now+5 || c.Iat < now-60 || c.Exp <= now || c.Events["http://schemas.openid.net/event/backchannel-logout"] == nil {
		t.Errorf("logout token claims %+v", c)
	}
}

// TestLogoutConfirmationEndToEnd: without a hint the member confirms, and
// only a POST carrying the form token ends the session.
func TestLogoutConfirmationEndToEnd(t *testing.T) {
	a := startLogoutApp(t, testenv.SQLite)
	rp := a.addClient()
	logoutSettle()
	browser := a.browser()
	a.signIn(browser)
	q := url.Values{"client_id": {rp.ID}, "post_logout_redirect_uri": {"https://rp.example/bye"}, "state": {"s"}}
	_, page := a.do(browser, "GET", a.URL+"/log-out?"+q.Encode(), nil)
	m := logoutFormToken.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no confirmation form: %s", page)
	}
	q.Set("csrf_token", "forged-forged-forged-forged-forged-forged-x")
	if resp, _ := a.do(browser, "POST", a.URL+"/log-out", q); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("forged confirmation: %d", resp.StatusCode)
	}
	q.Set("csrf_token", m[1])
	resp, _ := a.do(browser, "POST", a.URL+"/log-out", q)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "https://rp.example/bye?state=s" {
		t.Fatalf("confirmed: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, body := a.do(browser, "GET", a.URL+"/login", nil); !logoutFormToken.MatchString(body) || regexp.MustCompile(`signed in as`).MatchString(body) {
		t.Fatal("still signed in")
	}
}
