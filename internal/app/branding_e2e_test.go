package app_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/testenv"
)

// TestBranding: a tenant's display name, logo, colour, links and sign-in
// message appear on its pages, served from our origin with a cache
// validator; another tenant on the same server shows none of them; bad
// branding input is refused with nothing stored.
func TestBranding(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	s.MustCLI(t, "", "tenant", "add", "guild", "--issuer", "https://guild.example", "--name", "guild")
	dir := t.TempDir()
	var logo bytes.Buffer
	if err := png.Encode(&logo, image.NewRGBA(image.Rect(0, 0, 64, 32))); err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	before := s.MustCLI(t, "", "tenant", "show", "guild", "--json")
	for _, bad := range [][]string{
		{"--logo-file", write("page.png", []byte("<html><script>alert(1)</script></html>"))},
		{"--logo-file", write("icon.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`))},
		{"--logo-file", write("big.png", append(logo.Bytes(), make([]byte, 300<<10)...))},
		{"--logo-file", write("polyglot.png", append([]byte("<html><script>alert(1)</script>"), logo.Bytes()...))},
		{"--primary-color", "#ffff00"},
		{"--primary-color", "blue"},
		{"--support-url", "javascript:alert(1)"},
		{"--privacy-url", "http://guild.example/privacy"},
		{"--display-name", "The Guild", "--primary-color", "#1f5fbf", "--sign-in-message", "a\nb"}, // one bad field spoils all
	} {
		if out, errOut, code := s.CLI(t, "", append([]string{"tenant", "update", "guild"}, bad...)...); code == 0 {
			t.Errorf("%v accepted: %s", bad, out)
		} else if !strings.Contains(errOut, "guildgate:") {
			t.Errorf("%v: unclear refusal %q", bad, errOut)
		}
	}
	if after := s.MustCLI(t, "", "tenant", "show", "guild", "--json"); after != before {
		t.Fatalf("a refused update changed the tenant:\n%s\n%s", before, after)
	}

	out := s.MustCLI(t, "", "tenant", "update", "guild", "--display-name", "The Guild", "--logo-file", write("logo.png", logo.Bytes()),
		"--primary-color", "#1F5FBF", "--support-url", "https://guild.example/help", "--privacy-url", "https://guild.example/privacy",
		"--sign-in-message", "Members of the Guild: sign in with your guild email.", "--json")
	var raw map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil || raw["primary_color"] != "#1f5fbf" || raw["name"] != "The Guild" ||
		raw["logo_type"] != "image/png" {
		t.Fatalf("update printed %s (%v)", out, err)
	}
	guild := strings.Replace(s.URL, "localhost", "guild.example", 1)
	c := s.Client(t)
	_, body, _ := page(t, c, guild, "/login")
	logoURL := regexp.MustCompile(`<img class="logo" src="(/branding/logo/[0-9a-f]{64})" alt="">`).FindStringSubmatch(body)
	for _, want := range []string{"The Guild", `href="/branding/theme/1f5fbf.css"`, `href="https://guild.example/help"`,
		`href="https://guild.example/privacy"`, "Members of the Guild: sign in with your guild email."} {
		if !strings.Contains(body, want) {
			t.Errorf("the guild's page lacks %q", want)
		}
	}
	if logoURL == nil {
		t.Fatalf("no logo on the guild's page:\n%s", body)
	}
	_, other, _ := page(t, c, s.URL, "/login")
	for _, leak := range []string{"/branding/", "The Guild", "guild.example/help", "Members of the Guild"} {
		if strings.Contains(other, leak) {
			t.Errorf("the default tenant's page shows the guild's %q", leak)
		}
	}

	res := get(t, c, guild+logoURL[1], "")
	etag := res.Header.Get("ETag")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" || etag == "" ||
		res.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("logo: %d %v", res.StatusCode, res.Header)
	}
	if res := get(t, c, guild+logoURL[1], etag); res.StatusCode != http.StatusNotModified {
		t.Fatalf("logo with If-None-Match: %d", res.StatusCode)
	}
	if res := get(t, c, s.URL+logoURL[1], ""); res.StatusCode != http.StatusNotFound {
		t.Fatalf("the guild's logo on another tenant's host: %d", res.StatusCode)
	}
	if res := get(t, c, guild+"/branding/theme/1f5fbf.css", ""); res.StatusCode != http.StatusOK ||
		!strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("theme: %d %v", res.StatusCode, res.Header)
	}
	if res := get(t, c, guild+"/branding/theme/000000.css", ""); res.StatusCode != http.StatusNotFound {
		t.Fatalf("a theme of another colour: %d", res.StatusCode)
	}
}

func get(t *testing.T, c *http.Client, url, etag string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}
