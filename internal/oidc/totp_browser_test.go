package oidc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/pquerna/otp/totp"
	"golang.org/x/oauth2"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/testenv"
)

// TestAuthenticatorInChromium is the authenticator-app journey in real
// Chromium: the member sets it up from the key the set-up page shows
// beside its QR code (the QR code encodes the same key: TestQRSVG), signs
// out, signs in to a relying party with password and code, and go-oidc
// verifies amr pwd, otp, mfa; the same code again is refused; a recovery
// code signs in once and not twice.
func TestAuthenticatorInChromium(t *testing.T) {
	chromium := testenv.BrowserPath(t)
	s := testenv.Start(t, testenv.SQLite, nil)
	s.MustCLI(t, rpPassword+"\n", "member", "add", "--email", rpEmail, "--name", "Ada Lovelace", "--password-stdin")
	cb := newAuthzRP(t)
	var c rp
	if err := json.Unmarshal([]byte(s.MustCLI(t, "", "client", "add", "--name", "RP", "--redirect-uris", cb.srv.URL+"/cb",
		"--json")), &c); err != nil {
		t.Fatal(err)
	}
	ctx := oidc.ClientContext(context.Background(), s.Client(t))
	provider, err := oidc.NewProvider(ctx, s.URL)
	if err != nil {
		t.Fatal(err)
	}
	conf := oauth2.Config{ClientID: c.ID, ClientSecret: c.Secret, Endpoint: provider.Endpoint(), RedirectURL: cb.srv.URL + "/cb",
		Scopes: []string{oidc.ScopeOpenID}}
	time.Sleep(clients.DefaultCacheTTL)

	b := testenv.StartBrowser(t, chromium, 90*time.Second)
	b.Extra = func() string {
		ctx, cancel := context.WithTimeout(b.Ctx, 2*time.Second)
		defer cancel()
		text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
		return fmt.Sprintf("page text:\n%s\nserver log:\n%s", text, s.Logs)
	}
	step := b.Do
	click := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }
	visible := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.WaitVisible(chromedp.CSS(sel)) }
	typeIn := func(sel, v string) chromedp.Action[chromedp.Void] { return chromedp.SendKeys(chromedp.CSS(sel), v) }
	signOut := func() {
		t.Helper()
		step("sign out", chromedp.Navigate(s.URL+"/log-out"), click(`form[action="/log-out"] button:not(.secondary)`),
			visible(`main a[href="/login"]`))
	}
	password := func(state string) {
		t.Helper()
		step("password for "+state, chromedp.Navigate(conf.AuthCodeURL(state, oidc.Nonce("n-"+state))), visible("#email"),
			typeIn("#email", rpEmail), click(`form[action="/login"] button[type="submit"]`), visible("#password"),
			typeIn("#password", rpPassword), click(`form[action="/login"] button[type="submit"]`), visible("#code"))
	}

	step("sign in with the password", chromedp.Navigate(s.URL+"/login"), visible("#email"), typeIn("#email", rpEmail),
		click(`form[action="/login"] button[type="submit"]`), visible("#password"), typeIn("#password", rpPassword),
		click(`form[action="/login"] button[type="submit"]`), visible(`form[action="/log-out"]`))
	step("open the set-up page", chromedp.Navigate(s.URL+"/account/security/totp"), visible(".qr svg"))
	key := strings.ReplaceAll(testenv.Run(b, "read the key", chromedp.Text(chromedp.CSS(".secret code"))), " ", "")
	code, err := totp.GenerateCode(key, time.Now())
	if err != nil {
		t.Fatalf("key %q: %v", key, err)
	}
	step("turn it on", typeIn("#code", code), click(`form[action="/account/security/totp"] button[type="submit"]`), visible(".codes"))
	recovery := testenv.Run(b, "read the recovery codes", chromedp.Text(chromedp.CSS(".codes li:first-child code")))
	signOut()

	next, _ := totp.GenerateCode(key, time.Now().Add(30*time.Second)) // the set-up spent this step's code
	password("t1")
	step("the code", typeIn("#code", next), click(`form[action="/login/code"] button[type="submit"]`), visible("#rp-done"))
	got := cb.last()
	if got.Get("state") != "t1" || got.Get("code") == "" {
		t.Fatalf("the relying party received %v", got)
	}
	tok, err := conf.Exchange(ctx, got.Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: c.ID}).Verify(ctx, raw)
	if err != nil {
		t.Fatal(err)
	}
	var claims acrClaims
	if err := idt.Claims(&claims); err != nil || !slices.Equal(claims.AMR, []string{"pwd", "otp", "mfa"}) || claims.ACR != "mfa" {
		t.Fatalf("password and code: %+v %v", claims, err)
	}
	signOut()

	password("t2")
	step("the same code again", typeIn("#code", next), click(`form[action="/login/code"] button[type="submit"]`), visible("#form-error"))
	step("a recovery code", typeIn("#code", recovery), click(`form[action="/login/code"] button[type="submit"]`), visible("#rp-done"))
	if got := cb.last(); got.Get("state") != "t2" || got.Get("code") == "" {
		t.Fatalf("after the recovery code the relying party received %v", got)
	}
	signOut()
	password("t3")
	step("the recovery code twice", typeIn("#code", recovery), click(`form[action="/login/code"] button[type="submit"]`),
		visible("#form-error"))
}
