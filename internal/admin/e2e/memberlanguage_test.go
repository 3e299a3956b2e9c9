package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/guildgate/guildgate/internal/testenv"
)

// TestMemberLanguage: a member chooses their language on their page; it is
// remembered, their pages follow it, their mail is written in it (the
// site's default is English), and apps given the profile scope read it as
// the locale claim of an ID token that go-oidc verifies.
func TestMemberLanguage(t *testing.T) {
	s, mp := withMail(t, testenv.SQLite)
	addMember(t, s, "ada@example.org")
	b := newBrowser(t, s)
	b.signIn("ada@example.org")
	page := b.get("/account/")
	if !strings.Contains(page.body, `<select id="language-choice" name="language"`) || !strings.Contains(page.body, `<option value="fr" lang="fr">Français</option>`) {
		t.Fatalf("no language choice on the member's page:\n%s", page.body)
	}
	if p := b.post("/account/language", url.Values{"csrf_token": {page.token}, "language": {"pt"}}); p.status != http.StatusBadRequest {
		t.Fatalf("a language Guildgate does not speak: %d", p.status)
	}
	if p := b.post("/account/language", url.Values{"language": {"fr"}}); p.status != http.StatusForbidden {
		t.Fatalf("without a form token: %d", p.status)
	}
	if strings.Contains(s.MustCLI(t, "", "member", "show", "ada@example.org", "--json"), `"language": "pt"`) {
		t.Fatal("a refused language was stored")
	}
	wantSeeOther(t, b.post("/account/language", url.Values{"csrf_token": {page.token}, "language": {"fr"}}), "/account/?done=language")
	page = b.get("/account/?done=language")
	for _, want := range []string{`<html lang="fr">`, "Votre langue a été enregistrée.", `<option value="fr" lang="fr" selected>`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("after choosing French, the page lacks %q", want)
		}
	}
	var m struct{ Language string }
	if err := json.Unmarshal([]byte(s.MustCLI(t, "", "member", "show", "ada@example.org", "--json")), &m); err != nil || m.Language != "fr" {
		t.Fatalf("remembered language: %+v %v", m, err)
	}

	forgot(t, s, "ada@example.org") // the page is in the browser's language: English
	mail := mp.WaitFor(t, "ada@example.org", 1, mailDelivery)[0]
	if !strings.HasPrefix(mail.Subject, "Réinitialisez votre mot de passe") || !strings.Contains(mail.HTML, `<html lang="fr">`) {
		t.Fatalf("the mail is not in the member's language: %q", mail.Subject)
	}

	app := newPartnerApp(t, s)
	app.conf.Scopes = append(app.conf.Scopes, oidc.ScopeProfile)
	tok := app.tokens("ada@example.org")
	provider, err := oidc.NewProvider(app.ctx, s.URL)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: app.conf.ClientID}).Verify(context.WithoutCancel(app.ctx), raw)
	if err != nil {
		t.Fatal(err)
	}
	var claims struct{ Locale string }
	if err := idt.Claims(&claims); err != nil || claims.Locale != "fr" {
		t.Fatalf("locale claim: %+v %v", claims, err)
	}
	wantSeeOther(t, b.post("/account/language", url.Values{"csrf_token": {page.token}, "language": {""}}), "/account/?done=language")
	if p := b.get("/account/"); !strings.Contains(p.body, `<html lang="en">`) {
		t.Fatal("forgetting the language does not bring back the browser's")
	}

	// An application's ui_locales is the member's latest choice: the first
	// language in it that Guildgate speaks is remembered; one naming none
	// changes nothing.
	language := func() string {
		var m struct{ Language string }
		if err := json.Unmarshal([]byte(s.MustCLI(t, "", "member", "show", "ada@example.org", "--json")), &m); err != nil {
			t.Fatal(err)
		}
		return m.Language
	}
	for _, c := range []struct{ uiLocales, want string }{{"ja de-AT en", "de"}, {"ja zh", "de"}, {"es", "es"}} {
		verifier := oauth2.GenerateVerifier()
		q := authorize(t, b, app.conf.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("ui_locales", c.uiLocales)))
		if q.Get("code") == "" {
			t.Fatalf("ui_locales %q: no code (%v)", c.uiLocales, q)
		}
		if got := language(); got != c.want {
			t.Errorf("after ui_locales %q the language is %q, want %q", c.uiLocales, got, c.want)
		}
	}
}
