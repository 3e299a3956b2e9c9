package oidc

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/tokens"
	"github.com/guildgate/guildgate/internal/ui"
)

// TestLogoutWithState: state joins the registered URI's query unchanged
// (RP-Initiated Logout §3), encoded, and is left out when not sent.
func TestLogoutWithState(t *testing.T) {
	for _, tc := range []struct{ uri, state, want string }{
		{"https://rp.example/bye", "", "https://rp.example/bye"},
		{"https://rp.example/bye", "a b&c=d", "https://rp.example/bye?state=a+b%26c%3Dd"},
		{"https://rp.example/bye?z=1&a=2", "s", "https://rp.example/bye?z=1&a=2&state=s"},
		{"https://rp.example/bye?", "s", "https://rp.example/bye?state=s"},
		{"http://localhost:8080/bye?x=%2F", "s", "http://localhost:8080/bye?x=%2F&state=s"},
	} {
		if got := logoutWithState(tc.uri, tc.state); got != tc.want {
			t.Errorf("logoutWithState(%q, %q) = %q, want %q", tc.uri, tc.state, got, tc.want)
		}
	}
}

// TestParseLogoutRequest: every parameter is read and carried through the
// confirmation form; a repeated one is refused, an unknown one ignored.
func TestParseLogoutRequest(t *testing.T) {
	v := url.Values{"id_token_hint": {"h"}, "logout_hint": {"ann"}, "client_id": {"c"},
		"post_logout_redirect_uri": {"https://rp.example/bye"}, "state": {"s"}, "ui_locales": {"fr"}, "extra": {"x", "y"}}
	req, err := parseLogoutRequest(v)
	if err != nil {
		t.Fatal(err)
	}
	var got url.Values = map[string][]string{}
	for _, f := range req.hidden() {
		got.Add(f.Name, f.Value)
	}
	delete(v, "extra")
	if !reflect.DeepEqual(got, v) {
		t.Fatalf("hidden %v, want %v", got, v)
	}
	if h := (logoutRequest{State: "s"}).hidden(); !reflect.DeepEqual(h, []ui.HiddenField{{Name: "state", Value: "s"}}) {
		t.Fatalf("empty parameters carried: %v", h)
	}
	for _, name := range logoutParamNames {
		if _, err := parseLogoutRequest(url.Values{name: {"a", "b"}}); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("repeated %s: %v", name, err)
		}
	}
}

// TestLogoutProvesSession: only a hint for the session's member, and for
// the session itself when it names one, skips the confirmation.
func TestLogoutProvesSession(t *testing.T) {
	s, m := model.Session{ID: "sid-1"}, model.Member{ID: "ann"}
	for _, tc := range []struct {
		hint *tokens.IDTokenClaims
		want bool
	}{
		{nil, false},
		{&tokens.IDTokenClaims{Subject: "ann", SessionID: "sid-1"}, true},
		{&tokens.IDTokenClaims{Subject: "ann"}, true},
		{&tokens.IDTokenClaims{Subject: "ann", SessionID: "sid-2"}, false},
		{&tokens.IDTokenClaims{Subject: "bob", SessionID: "sid-1"}, false},
		{&tokens.IDTokenClaims{Subject: "bob"}, false},
	} {
		if got := (logoutTarget{hint: tc.hint}).provesSession(s, m); got != tc.want {
			t.Errorf("hint %+v: %v, want %v", tc.hint, got, tc.want)
		}
	}
}

// TestLogoutHintWithoutSid: a hint naming no session proves the request
// when it names the session's member.
func TestLogoutHintWithoutSid(t *testing.T) {
	e := newLogoutEnv(t)
	rp := e.addClient(nil)
	c := e.browser()
	s := e.signIn(c, e.member)
	r := e.get(c, url.Values{"id_token_hint": {e.bareHint(rp, e.member.ID)}, "post_logout_redirect_uri": {"https://rp.example/bye"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "https://rp.example/bye" || e.live(s) {
		t.Fatalf("%d %q", r.status, r.header.Get("Location"))
	}
}

// TestLogoutAcceptsExpiredHint: RP-Initiated Logout §2 — an RP's ID token
// has often expired by the time the member signs out.
func TestLogoutAcceptsExpiredHint(t *testing.T) {
	e := newLogoutEnv(t)
	rp := e.addClient(nil)
	c := e.browser()
	s := e.signIn(c, e.member)
	past := &tokens.Issuer{Keys: e.p.Keys, Now: func() time.Time { return time.Now().Add(-3 * time.Hour) }}
	hint, err := past.IDToken(e.ctx, tokens.IDTokenParams{Tenant: e.tenant, Client: rp,
		Claims: map[string]any{"sub": e.member.ID}, SessionID: s.ID})
	e.must(err)
	r := e.get(c, url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {"https://rp.example/bye"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "https://rp.example/bye" || e.live(s) {
		t.Fatalf("%d %q", r.status, r.header.Get("Location"))
	}
}

// TestLogoutLogsHoldNoTokens: neither a hint (good or forged) nor a
// logout token reaches the log.
func TestLogoutLogsHoldNoTokens(t *testing.T) {
	e := newLogoutEnv(t)
	rp := newLogoutRP(t, http.StatusServiceUnavailable, http.StatusServiceUnavailable, http.StatusServiceUnavailable)
	client := e.addBackchannelClient(rp, "")
	c := e.browser()
	s := e.signIn(c, e.member)
	hint := e.idToken(client, e.grant(client, s))
	e.get(c, url.Values{"id_token_hint": {logoutTamper(hint)}})
	e.get(c, url.Values{"id_token_hint": {hint}, "state": {"State-Secret-1"}})
	e.ep.bc.wait()
	logs := e.logs.String()
	secrets := append([]string{"State-Secret-1", hint, logoutTamper(hint)}, rp.received()...)
	for _, tok := range secrets {
		if sig := tok[strings.LastIndex(tok, ".")+1:]; strings.Contains(logs, sig) {
			t.Errorf("log holds %q", sig)
		}
	}
	if !strings.Contains(logs, "back-channel logout failed") || len(rp.received()) != 3 {
		t.Fatalf("delivery not retried and logged: %d\n%s", len(rp.received()), logs)
	}
}
