package e2e

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/testenv"
)

// postBranding sends the Branding form as a browser does (multipart), with
// the page's form token unless token is "-" (none).
func postBranding(t *testing.T, s *testenv.Server, b *browser, fields map[string]string, logoName string, logo []byte, token string) page {
	t.Helper()
	if token == "" {
		token = b.get("/admin/branding").token
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if token != "-" {
		_ = mw.WriteField("csrf_token", token)
	}
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("logo", logoName)
	_, _ = fw.Write(logo)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", s.URL+"/admin/branding", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, resp)
}

// TestConsoleBranding: the Branding page refuses each kind of bad input
// next to its field, keeping what was typed and storing nothing; a good
// form (a real WebP logo) is saved, redrawn as PNG, and previewed; the
// preview's stylesheet serves only colours.
func TestConsoleBranding(t *testing.T) {
	s, b := adminBrowser(t)
	p := b.get("/admin/branding")
	if p.status != 200 || !strings.Contains(p.body, `<a href="/admin/branding" aria-current="page">Branding</a>`) ||
		!strings.Contains(p.body, `id="preview-frame"`) || !strings.Contains(p.body, `/admin/static/`) {
		t.Fatalf("branding page: %d\n%s", p.status, p.body)
	}
	res, err := b.c.Get(s.URL + "/admin/branding")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' blob:;") || !strings.Contains(csp, "script-src 'self';") {
		t.Fatalf("CSP of the branding page: %q", csp)
	}
	before := s.MustCLI(t, "", "tenant", "show", "default", "--json")
	var pngLogo bytes.Buffer
	if err := png.Encode(&pngLogo, image.NewRGBA(image.Rect(0, 0, 40, 20))); err != nil {
		t.Fatal(err)
	}
	good := map[string]string{"display_name": "Guild of Bakers", "primary_color": "#1F5FBF", "support_url": "https://bakers.example/help",
		"privacy_url": "", "sign_in_message": "Use your guild email."}
	with := func(k, v string) map[string]string {
		f := map[string]string{}
		for key, val := range good {
			f[key] = val
		}
		f[k] = v
		return f
	}
	for _, bad := range []struct {
		name, field, id string
		form            map[string]string
		file            string
		logo            []byte
	}{
		{"colour too light", "primary_color", "primary-color", with("primary_color", "#ffff00"), "", nil},
		{"colour not #RRGGBB", "primary_color", "primary-color", with("primary_color", "blue"), "", nil},
		{"javascript: link", "support_url", "support-url", with("support_url", "javascript:alert(1)"), "", nil},
		{"empty name", "name", "display-name", with("display_name", ""), "", nil},
		{"HTML logo", "logo", "logo", good, "logo.png", []byte("<!doctype html><script>alert(1)</script>")},
		{"SVG logo", "logo", "logo", good, "logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`)},
		{"polyglot logo", "logo", "logo", good, "logo.png", append([]byte("<html><script>alert(1)</script>"), pngLogo.Bytes()...)},
		{"oversized logo", "logo", "logo", good, "logo.png", append(append([]byte{}, pngLogo.Bytes()...), make([]byte, 300<<10)...)},
	} {
		p := postBranding(t, s, b, bad.form, bad.file, bad.logo, "")
		problems := regexp.MustCompile(`id="` + bad.id + `-problems"><ul class="problems"><li>`).MatchString(p.body)
		if p.status != http.StatusBadRequest || !problems || !strings.Contains(p.body, `aria-invalid="true" `) &&
			!strings.Contains(p.body, `aria-invalid="true">`) || !strings.Contains(p.body, bad.id+`-problems"`) {
			t.Errorf("%s: %d, problem next to %s: %v\n%s", bad.name, p.status, bad.id, problems, p.body)
		}
		if !strings.Contains(p.body, `value="Use your guild email."`) {
			t.Errorf("%s: the form lost what was typed", bad.name)
		}
		if after := s.MustCLI(t, "", "tenant", "show", "default", "--json"); after != before {
			t.Fatalf("%s changed the tenant:\n%s", bad.name, after)
		}
	}
	for _, token := range []string{"-", strings.Repeat("A", 43)} {
		if p := postBranding(t, s, b, good, "", nil, token); p.status != http.StatusForbidden {
			t.Errorf("token %q: %d, want 403", token, p.status)
		}
	}
	if after := s.MustCLI(t, "", "tenant", "show", "default", "--json"); after != before {
		t.Fatalf("a post without a token changed the tenant:\n%s", after)
	}

	webp, err := os.ReadFile("../../branding/testdata/lossless-alpha.webp")
	if err != nil {
		t.Fatal(err)
	}
	wantSeeOther(t, postBranding(t, s, b, good, "logo.webp", webp, ""), "/admin/branding?done=branding-updated")
	var tn struct {
		LogoType   string `json:"logo_type"`
		LogoSHA256 string `json:"logo_sha256"`
		Color      string `json:"primary_color"`
	}
	if err := json.Unmarshal([]byte(s.MustCLI(t, "", "tenant", "show", "default", "--json")), &tn); err != nil ||
		tn.LogoType != "image/png" || tn.Color != "#1f5fbf" {
		t.Fatalf("saved: %+v %v", tn, err)
	}
	p = b.get("/admin/branding?done=branding-updated")
	for _, want := range []string{"Branding saved.", `href="/admin/branding/preview/1f5fbf.css"`,
		`<img id="preview-logo" src="/branding/logo/` + tn.LogoSHA256 + `"`, `value="Guild of Bakers"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("after saving, the page lacks %q", want)
		}
	}
	css := b.get("/admin/branding/preview/1f5fbf.css")
	if css.status != 200 || !strings.Contains(css.body, "--preview-accent: #1f5fbf;") {
		t.Fatalf("preview stylesheet: %d %q", css.status, css.body)
	}
	for _, bad := range []string{"1F5FBF.css", "zzzzzz.css", "1f5fbf", "1f5fbf;}.css"} {
		if p := b.get("/admin/branding/preview/" + bad); p.status != http.StatusNotFound {
			t.Errorf("preview stylesheet %q: %d", bad, p.status)
		}
	}
	wantSeeOther(t, postBranding(t, s, b, with("remove_logo", "on"), "", nil, ""), "/admin/branding?done=branding-updated")
	if strings.Contains(s.MustCLI(t, "", "tenant", "show", "default", "--json"), tn.LogoSHA256) {
		t.Fatal("the logo was not removed")
	}
}
