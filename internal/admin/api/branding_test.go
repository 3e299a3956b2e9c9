package api_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
)

type brandingView struct {
	DisplayName   string `json:"display_name"`
	PrimaryColor  string `json:"primary_color"`
	SupportURL    string `json:"support_url"`
	PrivacyURL    string `json:"privacy_url"`
	SignInMessage string `json:"sign_in_message"`
	Logo          *struct {
		Type   string `json:"type"`
		SHA256 string `json:"sha256"`
		URL    string `json:"url"`
	} `json:"logo"`
}

// upload sends raw bytes as ctype.
func (c *client) upload(method, path, ctype string, body []byte) response {
	c.t.Helper()
	req, err := http.NewRequest(method, c.host+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Authorization", "Bearer "+c.key)
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: raw}
}

func testPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withPNGText puts a tEXt chunk (metadata an upload may carry) after the
// PNG's header chunk.
func withPNGText(p []byte, text string) []byte {
	const ihdrEnd = 8 + 25
	body := append([]byte("tEXt"), text...)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(text)))
	chunk = append(chunk, body...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(body))
	return append(append(append([]byte{}, p[:ihdrEnd]...), chunk...), p[ihdrEnd:]...)
}

// TestBranding walks /api/v1/branding: bad input of every kind refused
// with nothing stored, a patch, a replacement, logos in each accepted type
// redrawn without their metadata, removal, and the audit trail.
func TestBranding(t *testing.T) {
	_, c := start(t)
	var before brandingView
	c.want(200, &before, "GET", "/api/v1/branding", nil)
	if before.DisplayName != "Guildgate" || before.Logo != nil || before.PrimaryColor != "" {
		t.Fatalf("a new site's branding: %+v", before)
	}
	unchanged := func(what string) {
		t.Helper()
		var now brandingView
		c.want(200, &now, "GET", "/api/v1/branding", nil)
		if a, b := jsonOf(t, now), jsonOf(t, before); a != b {
			t.Fatalf("%s changed the branding:\n%s\nwas\n%s", what, a, b)
		}
	}

	png := testPNG(t, 64, 32)
	for _, bad := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"colour not #RRGGBB", map[string]any{"primary_color": "blue"}, "primary_color"},
		{"colour too light for white text", map[string]any{"primary_color": "#ffff00"}, "primary_color"},
		{"javascript: support URL", map[string]any{"support_url": "javascript:alert(1)"}, "support_url"},
		{"http privacy URL", map[string]any{"privacy_url": "http://guild.example/privacy"}, "privacy_url"},
		{"two-line message", map[string]any{"sign_in_message": "a\nb"}, "sign_in_message"},
		{"empty name", map[string]any{"display_name": " "}, "display_name"},
		{"one bad field spoils all", map[string]any{"display_name": "The Guild", "primary_color": "#1f5fbf", "support_url": "javascript:x"}, "support_url"},
	} {
		e := c.wantError(400, "invalid_input", "PATCH", "/api/v1/branding", bad.body)
		if f := detailFields(e); f != bad.field && !(bad.field == "display_name" && f == "name") {
			t.Errorf("%s: problems with %q, want %q: %+v", bad.name, f, bad.field, e.Error.Details)
		}
		unchanged(bad.name)
	}
	c.wantError(400, "invalid_input", "PATCH", "/api/v1/branding", map[string]any{})
	c.wantError(400, "invalid_input", "PATCH", "/api/v1/branding", map[string]any{"logo": "aGVsbG8="})
	e := c.wantError(400, "invalid_input", "PUT", "/api/v1/branding", map[string]any{"display_name": "The Guild"})
	if !strings.Contains(e.Error.Message+jsonOf(t, e), "is required") {
		t.Errorf("a PUT without every field: %+v", e)
	}
	unchanged("refused JSON")

	for _, bad := range []struct {
		name, ctype string
		body        []byte
		status      int
	}{
		{"HTML labelled PNG", "image/png", []byte("<!doctype html><script>alert(1)</script>"), 400},
		{"SVG labelled PNG", "image/png", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), 400},
		{"SVG", "image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), 415},
		{"HTML", "text/html", []byte("<html></html>"), 415},
		{"HTML then PNG", "image/png", append([]byte("<html><script>alert(1)</script>"), png...), 400},
		{"fake WebP", "image/webp", []byte("RIFF\x10\x00\x00\x00WEBPVP8 <html>"), 400},
		{"oversized", "image/png", append(append([]byte{}, png...), make([]byte, 300<<10)...), 400},
		{"far too large", "image/png", append(append([]byte{}, png...), make([]byte, 2<<20)...), 413},
		{"empty", "image/png", nil, 400},
	} {
		r := c.upload("PUT", "/api/v1/branding/logo", bad.ctype, bad.body)
		var e apiError
		if r.status != bad.status || json.Unmarshal(r.body, &e) != nil || e.Error.Code == "" {
			t.Errorf("%s: %d %s, want %d", bad.name, r.status, r.body, bad.status)
		}
		unchanged(bad.name)
	}

	var b brandingView
	c.want(200, &b, "PATCH", "/api/v1/branding", map[string]any{"display_name": "The Guild", "primary_color": "#1F5FBF"})
	if b.DisplayName != "The Guild" || b.PrimaryColor != "#1f5fbf" || b.SupportURL != "" {
		t.Fatalf("patched: %+v", b)
	}
	c.want(200, &b, "PUT", "/api/v1/branding", map[string]any{"display_name": "The Guild", "primary_color": "",
		"support_url": "https://guild.example/help", "privacy_url": "https://guild.example/privacy",
		"sign_in_message": "Members: sign in with your guild email."})
	if b.PrimaryColor != "" || b.SupportURL != "https://guild.example/help" || b.SignInMessage == "" {
		t.Fatalf("replaced: %+v", b)
	}

	webp, err := os.ReadFile("../../branding/testdata/lossy.webp")
	if err != nil {
		t.Fatal(err)
	}
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, image.NewRGBA(image.Rect(0, 0, 16, 16)), nil); err != nil {
		t.Fatal(err)
	}
	exif := append(append(append([]byte{}, jpg.Bytes()[:2]...), []byte("\xff\xe1\x00\x10Exif\x00\x00GPS-at-home")...), jpg.Bytes()[2:]...)
	for _, up := range []struct {
		name, ctype, want string
		body              []byte
		secret            string
	}{
		{"PNG with metadata", "image/png", "image/png", withPNGText(png, "Author\x00Ada at home"), "Ada at home"},
		{"JPEG with EXIF", "image/jpeg", "image/jpeg", exif, "GPS-at-home"},
		{"WebP", "image/webp", "image/png", webp, "WEBP"},
	} {
		r := c.upload("PUT", "/api/v1/branding/logo", up.ctype, up.body)
		if r.status != 200 || json.Unmarshal(r.body, &b) != nil || b.Logo == nil || b.Logo.Type != up.want ||
			!strings.HasSuffix(b.Logo.URL, "/branding/logo/"+b.Logo.SHA256) {
			t.Fatalf("%s: %d %s", up.name, r.status, r.body)
		}
		served := c.do("GET", "/branding/logo/"+b.Logo.SHA256, nil)
		if served.status != 200 || served.header.Get("Content-Type") != up.want || bytes.Contains(served.body, []byte(up.secret)) {
			t.Fatalf("%s: served %d %s, or with %q", up.name, served.status, served.header.Get("Content-Type"), up.secret)
		}
	}
	c.want(200, &b, "DELETE", "/api/v1/branding/logo", nil)
	if b.Logo != nil || b.DisplayName != "The Guild" {
		t.Fatalf("after removing the logo: %+v", b)
	}

	var audit struct{ Items []auditEvent }
	c.want(200, &audit, "GET", "/api/v1/audit?action=tenant.update", nil)
	if len(audit.Items) != 6 || !strings.HasPrefix(audit.Items[0].Actor, "apikey:") || audit.Items[0].Detail["fields"] != "logo" ||
		audit.Items[4].Detail["fields"] != "name,primary_color,privacy_url,sign_in_message,support_url" {
		t.Fatalf("audit: %+v", audit.Items)
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
