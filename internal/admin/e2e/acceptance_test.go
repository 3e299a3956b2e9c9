package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/guildgate/guildgate/internal/testenv"
)

var redirects = []string{"https://partner.example/callback", "https://partner.example/other"}

// TestAdminRegistersClientForPartner is the acceptance test. In real
// Chromium an administrator signs in, creates the group "members", adds an
// SSO client restricted to it with two redirect URLs, and reads the client
// ID and secret from the list, as they would to send them to a partner.
// Then a relying party (go-oidc and x/oauth2) uses exactly those
// credentials in a real code flow: a member of the group gets in, a member
// outside it gets access_denied.
func TestAdminRegistersClientForPartner(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	addMember(t, s, "admin@example.org", "--admin")
	addMember(t, s, "in@example.org")
	addMember(t, s, "out@example.org")
	b := openTab(t, s.URL)

	b.do("open the console", chromedp.Navigate(s.URL+"/admin/"), chromedp.WaitVisible(chromedp.CSS("#email")))
	b.fill("#email", "admin@example.org")
	b.click(`form:has(#email) button[type="submit"]`, "#password")
	b.fill("#password", password)
	b.click(`form:has(#password) button[type="submit"]`, ".tiles") // back to /admin/ after signing in

	b.do("open groups", chromedp.Navigate(s.URL+"/admin/groups"), chromedp.WaitVisible(chromedp.CSS("#group-name")))
	b.fill("#group-name", "members")
	b.click("#create-group", ".flash")
	s.MustCLI(t, "", "group", "add-member", "members", "in@example.org")

	b.click("#settings-menu summary", `#settings-menu a[href="/admin/clients"]`)
	b.click(`#settings-menu a[href="/admin/clients"]`, "#add-client")
	b.click("#add-client", "#redirect_uris")
	b.fill("#name", "Partner portal")
	b.fill("#redirect_uris", strings.Join(redirects, ", "))
	b.do("choose the group", chromedp.SetValue(chromedp.CSS("#groups"), "members"))
	b.screenshot("add-client-form.png")
	b.click("#save", ".client")
	b.screenshot("client-list.png")

	if got := b.text(".client h2"); got != "Partner portal" {
		t.Fatalf("list shows %q", got)
	}
	clientID := b.text(".client code.client-id")
	secretType := chromedp.Evaluate[string](`document.querySelector(".client input.secret").type`)
	masked := get(b, "read the masked secret's type", secretType)
	b.do("reveal the secret", chromedp.Click(chromedp.CSS(".client button.reveal")))
	shown := get(b, "read the revealed secret's type", secretType)
	secret := get(b, "read the secret", chromedp.Value(chromedp.CSS(".client input.secret")))
	if masked != "password" || shown != "text" || len(secret) < 43 || clientID == "" {
		t.Fatalf("client id %q, secret %d chars, masked %q then %q", clientID, len(secret), masked, shown)
	}

	relyingParty(t, s, clientID, secret)
}

// relyingParty plays the partner's app with the credentials read from the
// console, and the members' browsers with plain HTTP clients.
func relyingParty(t *testing.T, s *testenv.Server, clientID, secret string) {
	ctx := oidc.ClientContext(context.Background(), s.Client(t))
	provider, err := oidc.NewProvider(ctx, s.URL)
	if err != nil {
		t.Fatal(err)
	}
	conf := oauth2.Config{ClientID: clientID, ClientSecret: secret, Endpoint: provider.Endpoint(),
		RedirectURL: redirects[1], Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}

	in := newBrowser(t, s)
	in.signIn("in@example.org")
	verifier := oauth2.GenerateVerifier()
	q := authorize(t, in, conf.AuthCodeURL("state-in", oidc.Nonce("n-in"), oauth2.S256ChallengeOption(verifier)))
	if q.Get("state") != "state-in" || q.Get("code") == "" {
		t.Fatalf("member of the group: callback %v", q)
	}
	tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: clientID}).Verify(ctx, raw)
	if err != nil {
		t.Fatal(err)
	}
	var claims struct{ Email, Nonce string }
	if err := idt.Claims(&claims); err != nil || claims.Email != "in@example.org" || claims.Nonce != "n-in" {
		t.Fatalf("ID token claims %+v, %v", claims, err)
	}

	out := newBrowser(t, s)
	out.signIn("out@example.org")
	q = authorize(t, out, conf.AuthCodeURL("state-out", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if q.Get("error") != "access_denied" || q.Get("state") != "state-out" || q.Get("code") != "" {
		t.Fatalf("member outside the group: callback %v", q)
	}
}

// authorize follows the authorization URL in a signed-in browser and
// returns the query of the redirect to the partner's callback.
func authorize(t *testing.T, b *browser, authURL string) url.Values {
	t.Helper()
	resp, err := b.c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther ||
		!strings.HasPrefix(loc.String(), redirects[1]+"?") {
		t.Fatalf("authorize: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query()
}
