package oidc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
	cdpwebauthn "github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/config"
	"github.com/guildgate/guildgate/internal/testenv"
)

// TestPasskeyInChromium is the passkey journey in real Chromium with
// Chrome's virtual authenticator (CDP WebAuthn: CTAP 2.1, internal
// transport, discoverable credentials, user verification): a member signs
// in with their password and adds a passkey; signs out; signs in to a
// relying party with the passkey alone — no email typed, no password
// asked — and go-oidc verifies an ID token whose amr has hwk or swk and
// user, and acr phr. Then a password session steps up to acr_values=phr
// with the passkey as its second factor. Last, `member reset-mfa` removes
// the passkey, which then signs no one in, and mails the member.
func TestPasskeyInChromium(t *testing.T) {
	chromium := testenv.BrowserPath(t)
	mp := testenv.StartMailpit(t, testenv.MailpitOptions{Plain: true})
	s := testenv.Start(t, testenv.SQLite, func(c *config.Config) {
		c.SMTPURL, c.MailFrom = "smtp://"+mp.SMTP, "Guildgate <sso@guild.example>"
	})
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
	claimsOf := func(code string) acrClaims {
		t.Helper()
		tok, err := conf.Exchange(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := tok.Extra("id_token").(string)
		idt, err := provider.Verifier(&oidc.Config{ClientID: c.ID}).Verify(ctx, raw)
		if err != nil {
			t.Fatal(err)
		}
		var got acrClaims
		if err := idt.Claims(&got); err != nil {
			t.Fatal(err)
		}
		return got
	}
	time.Sleep(clients.DefaultCacheTTL) // the server learns of CLI changes within this

	b := testenv.StartBrowser(t, chromium, 90*time.Second)
	b.Extra = func() string {
		ctx, cancel := context.WithTimeout(b.Ctx, 2*time.Second)
		defer cancel()
		text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
		return fmt.Sprintf("page text:\n%s\nserver log:\n%s", text, s.Logs)
	}
	no := false
	b.Do("enable WebAuthn with a virtual authenticator", chromedp.Action[chromedp.Void](
		func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			if _, err := cdp.Call(ctx, tg, cdpwebauthn.Enable, cdpwebauthn.EnableParams{EnableUI: &no}); err != nil {
				return chromedp.Void{}, err
			}
			_, err := cdp.Call(ctx, tg, cdpwebauthn.AddVirtualAuthenticator, cdpwebauthn.AddVirtualAuthenticatorParams{
				Options: &cdpwebauthn.VirtualAuthenticatorOptions{Protocol: cdpwebauthn.AuthenticatorProtocolCtap2,
					Ctap2version: cdpwebauthn.Ctap2versionCtap21, Transport: cdpwebauthn.AuthenticatorTransportInternal,
					HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true}})
			return chromedp.Void{}, err
		}))
	step := b.Do
	click := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }
	visible := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.WaitVisible(chromedp.CSS(sel)) }

	step("sign in with the password", chromedp.Navigate(s.URL+"/login"), visible("#email"),
		chromedp.SendKeys(chromedp.CSS("#email"), rpEmail), click(`form[action="/login"] button[type="submit"]`), visible("#password"),
		chromedp.SendKeys(chromedp.CSS("#password"), rpPassword), click(`form[action="/login"] button[type="submit"]`),
		visible(`form[action="/log-out"]`))
	step("add a passkey", chromedp.Navigate(s.URL+"/account/security/passkeys"), visible("#name"),
		chromedp.SendKeys(chromedp.CSS("#name"), "Work laptop"), click(`form[data-passkey] button[type="submit"]`),
		visible(".passkeys li"))
	step("sign out", chromedp.Navigate(s.URL+"/log-out"), click(`form[action="/log-out"] button:not(.secondary)`),
		visible(`main a[href="/login"]`))

	passkeyOnly := func(state string) {
		t.Helper()
		got := cb.last()
		if got.Get("state") != state || got.Get("code") == "" {
			t.Fatalf("the relying party received %v", got)
		}
		claims := claimsOf(got.Get("code"))
		if !(slices.Contains(claims.AMR, "hwk") || slices.Contains(claims.AMR, "swk")) || !slices.Contains(claims.AMR, "user") ||
			slices.Contains(claims.AMR, "pwd") || claims.ACR != "phr" {
			t.Fatalf("passkey sign-in: %+v", claims)
		}
	}
	// The email step offers the passkey in the email field's autofill
	// (conditional mediation), which the virtual authenticator answers at
	// once, as a person picking it from the list would.
	step("sign in to the relying party with the passkey alone, from autofill",
		chromedp.Navigate(conf.AuthCodeURL("pk1", oidc.Nonce("n1"))), visible("#rp-done"))
	passkeyOnly("pk1")

	// Where the browser offers no autofill, the button does it.
	step("sign out", chromedp.Navigate(s.URL+"/log-out"), click(`form[action="/log-out"] button:not(.secondary)`),
		visible(`main a[href="/login"]`))
	step("a browser without passkey autofill", chromedp.Action[chromedp.Void](
		func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			_, err := cdp.Call(ctx, tg, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{
				Source: "PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);"})
			return chromedp.Void{}, err
		}))
	step("sign in to the relying party with the passkey button",
		chromedp.Navigate(conf.AuthCodeURL("pk1b", oidc.Nonce("n1b"))), visible("#passkey-button"), click("#passkey-button"),
		visible("#rp-done"))
	passkeyOnly("pk1b")

	// A password session asked for acr_values=phr proves the passkey as its second factor.
	step("sign out again", chromedp.Navigate(s.URL+"/log-out"), click(`form[action="/log-out"] button:not(.secondary)`),
		visible(`main a[href="/login"]`))
	step("password, then the passkey for acr_values=phr",
		chromedp.Navigate(conf.AuthCodeURL("pk2", oidc.Nonce("n2"), oauth2.SetAuthURLParam("acr_values", "phr"))), visible("#email"),
		chromedp.SendKeys(chromedp.CSS("#email"), rpEmail), click(`form[action="/login"] button[type="submit"]`), visible("#password"),
		chromedp.SendKeys(chromedp.CSS("#password"), rpPassword), click(`form[action="/login"] button[type="submit"]`),
		visible("#passkey-button"), click("#passkey-button"), visible("#rp-done"))
	got := cb.last()
	if got.Get("state") != "pk2" || got.Get("code") == "" {
		t.Fatalf("the relying party received %v", got)
	}
	claims := claimsOf(got.Get("code"))
	if !slices.Contains(claims.AMR, "pwd") || !slices.Contains(claims.AMR, "mfa") || claims.ACR != "phr" {
		t.Fatalf("password and passkey: %+v", claims)
	}

	if out := s.MustCLI(t, "", "member", "reset-mfa", rpEmail,
		"--smtp-url", s.Config.SMTPURL, "--mail-from", s.Config.MailFrom); !strings.Contains(out, "removed the second factors") {
		t.Fatalf("reset-mfa: %s", out)
	}
	step("sign out once more", chromedp.Navigate(s.URL+"/log-out"), click(`form[action="/log-out"] button:not(.secondary)`),
		visible(`main a[href="/login"]`))
	step("the removed passkey signs no one in", chromedp.Navigate(conf.AuthCodeURL("pk3", oidc.Nonce("n3"))),
		visible("#passkey-button"), click("#passkey-button"), visible("#form-error"))
	if text := testenv.Run(b, "read the error", chromedp.Text(chromedp.CSS("#form-error"))); !strings.Contains(text, "could not be accepted") {
		t.Fatalf("removed passkey: %q", text)
	}
	// The member was told of the passkey they added, then of the reset.
	var added, reset *testenv.Mail
	for deadline := time.Now().Add(30 * time.Second); reset == nil; time.Sleep(50 * time.Millisecond) {
		for _, m := range mp.To(t, rpEmail) {
			switch {
			case strings.Contains(m.Subject, "second factor was added"):
				added = &m
			case strings.Contains(m.Subject, "second factors"):
				reset = &m
			}
		}
		if reset == nil && time.Now().After(deadline) {
			t.Fatalf("no reset notice reached %s within 30s", rpEmail)
		}
	}
	if added == nil || !strings.Contains(reset.Text, "/account/forgot") {
		t.Fatalf("notices: added %v, reset %q\n%s", added != nil, reset.Subject, reset.Text)
	}
}
