package e2e

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/testenv"
)

// TestMailIsBrandedAndTranslated: a mail sent through a real relay is in
// the site's default language, with its display name, its logo (a URL on
// our origin that serves the image), its colour and its links.
func TestMailIsBrandedAndTranslated(t *testing.T) {
	s, mp := withMail(t, testenv.SQLite)
	var logo bytes.Buffer
	if err := png.Encode(&logo, image.NewRGBA(image.Rect(0, 0, 48, 24))); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "logo.png")
	if err := os.WriteFile(file, logo.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	var tn struct {
		LogoSHA256 string `json:"logo_sha256"`
	}
	out := s.MustCLI(t, "", "tenant", "update", "default", "--default-language", "fr", "--display-name", "Guilde des boulangers",
		"--logo-file", file, "--primary-color", "#7a1f5c", "--support-url", "https://boulangers.example/aide", "--json")
	if err := json.Unmarshal([]byte(out), &tn); err != nil || tn.LogoSHA256 == "" {
		t.Fatalf("tenant update: %v\n%s", err, out)
	}
	var inv invitation
	apiCall(t, s, "POST", "/api/v1/members/invitations", map[string]any{"email": "ada@example.org", "name": "Ada Lovelace"},
		http.StatusCreated, &inv)
	m := mp.WaitFor(t, "ada@example.org", 1, mailDelivery)[0]
	logoURL := s.URL + "/branding/logo/" + tn.LogoSHA256
	if m.Subject != "Vous êtes invité à rejoindre Guilde des boulangers" || m.From.Name != "Guilde des boulangers" {
		t.Fatalf("subject %q from %q", m.Subject, m.From.Name)
	}
	for _, want := range []string{`<html lang="fr">`, `<img src="` + logoURL + `"`, "background:#7a1f5c", `href="https://boulangers.example/aide"`,
		"Accepter l&#39;invitation", "Bonjour Ada Lovelace,"} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("the mail's HTML lacks %q:\n%s", want, m.HTML)
		}
	}
	if !strings.Contains(m.Text, "valable 7 jours") || !strings.Contains(m.Text, "Aide : https://boulangers.example/aide") {
		t.Errorf("the mail's text:\n%s", m.Text)
	}
	linkIn(t, s, m)
	res, err := s.Client(t).Get(logoURL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("the mail's logo URL answers %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}
