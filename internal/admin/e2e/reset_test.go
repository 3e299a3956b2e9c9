package e2e

import (
	"bytes"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/testenv"
)

const newPassword = "a brand new passphrase"

var resetLinkField = regexp.MustCompile(`id="reset-link"[^>]*value="([^"]+)"`)

// consoleResetLink asks for a password-reset link in the member's console
// page, as an administrator does, and returns it.
func consoleResetLink(t *testing.T, admin *browser, memberID string) string {
	t.Helper()
	p := admin.postPage("/admin/members/"+memberID, "/admin/members/"+memberID+"/password-reset", url.Values{})
	m := resetLinkField.FindStringSubmatch(p.body)
	if p.status != http.StatusOK || m == nil || !strings.Contains(p.body, "it is not mailed") {
		t.Fatalf("reset link page: %d\n%s", p.status, p.body)
	}
	return html.UnescapeString(m[1])
}

// apiResetLink asks the admin API for a member's password-reset link.
func apiResetLink(t *testing.T, s *testenv.Server, memberID string) string {
	t.Helper()
	var k struct{ Key string }
	if err := json.Unmarshal([]byte(s.MustCLI(t, "", "apikey", "create", "--name", "reset", "--json")), &k); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", s.URL+"/api/v1/members/"+memberID+"/password-reset", bytes.NewReader(nil))
	req.Header.Set("Authorization", "Bearer "+k.Key)
	resp, err := s.Client(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var link struct {
		MemberID  string `json:"member_id"`
		URL       string `json:"url"`
		ExpiresAt string `json:"expires_at"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&link); err != nil || resp.StatusCode != http.StatusCreated ||
		link.MemberID != memberID || link.ExpiresAt == "" {
		t.Fatalf("API reset link: %d %+v %v", resp.StatusCode, link, err)
	}
	return link.URL
}

// pathOf keeps a link's path: the test's browsers know the server's URL.
func pathOf(t *testing.T, s *testenv.Server, link string) string {
	t.Helper()
	if !strings.HasPrefix(link, s.URL+"/account/reset/") {
		t.Fatalf("link %q is not on %s", link, s.URL)
	}
	return strings.TrimPrefix(link, s.URL)
}

// TestPasswordResetLink: an administrator makes a link in the console (a
// later one, from the API, replaces it); the member's page refuses a forged
// POST and bad passwords without using the link, then sets the password,
// which ends the member's sessions; the link then works no more.
func TestPasswordResetLink(t *testing.T) {
	s, admin := adminBrowser(t)
	id := addMember(t, s, "ada@example.org")
	if p := admin.post("/admin/members/"+id+"/password-reset", url.Values{}); p.status != http.StatusForbidden {
		t.Fatalf("reset without a form token: %d, want 403", p.status)
	}
	replaced := pathOf(t, s, consoleResetLink(t, admin, id))
	path := pathOf(t, s, apiResetLink(t, s, id))
	ada := newBrowser(t, s)
	ada.signIn("ada@example.org")
	if p := ada.get(replaced); p.status != http.StatusNotFound {
		t.Fatalf("the replaced link: %d", p.status)
	}

	b := newBrowser(t, s)
	form := b.get(path)
	if form.status != http.StatusOK || !strings.Contains(form.body, "ada@example.org") || form.token == "" {
		t.Fatalf("reset page: %d\n%s", form.status, form.body)
	}
	good := url.Values{"password": {newPassword}, "password2": {newPassword}}
	if p := b.post(path, good); p.status != http.StatusForbidden {
		t.Fatalf("POST without a form token: %d, want 403", p.status)
	}
	for _, pw := range [][2]string{{newPassword, newPassword + "x"}, {"short", "short"}} {
		p := b.post(path, url.Values{"csrf_token": {form.token}, "password": {pw[0]}, "password2": {pw[1]}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `aria-invalid="true"`) {
			t.Fatalf("bad password %q: %d\n%s", pw, p.status, p.body)
		}
	}
	good.Set("csrf_token", form.token)
	if p := b.post(path, good); p.status != http.StatusOK || !strings.Contains(p.body, "Your password has been changed") {
		t.Fatalf("reset: %d\n%s", p.status, p.body)
	}
	if p := ada.get("/login"); strings.Contains(p.body, "You are signed in") {
		t.Fatal("the member's session outlived the password reset")
	}
	signInWith(t, newBrowser(t, s), "ada@example.org", newPassword)
	if p := b.post(path, good); p.status != http.StatusNotFound || !strings.Contains(p.body, "already been used") {
		t.Fatalf("the used link: %d\n%s", p.status, p.body)
	}
	events := wantAudit(t, s, "member.password.", "member.password.set", "member.password.reset_link.use",
		"member.password.reset_link.create", "member.password.reset_link.create")
	if events[0].Target != "member:"+id || !strings.HasPrefix(events[2].Actor, "apikey:") ||
		!strings.HasPrefix(events[3].Actor, "member:") || !strings.HasPrefix(events[1].Actor, "link:") {
		t.Fatalf("audit events %+v", events)
	}
}

// TestPasswordResetLinkStaysInItsTenant: a link made at one tenant is
// unknown at another's host.
func TestPasswordResetLinkStaysInItsTenant(t *testing.T) {
	s, admin := adminBrowser(t)
	id := addMember(t, s, "ada@example.org")
	path := pathOf(t, s, consoleResetLink(t, admin, id))
	s.MustCLI(t, "", "tenant", "add", "beta", "--issuer", "https://beta.localhost:8443")
	beta := newBrowser(t, s)
	beta.base = "https://beta.localhost:" + s.URL[strings.LastIndex(s.URL, ":")+1:]
	if p := beta.get(path); p.status != http.StatusNotFound {
		t.Fatalf("another tenant's link: %d, want 404", p.status)
	}
	if p := newBrowser(t, s).get(path); p.status != http.StatusOK {
		t.Fatalf("the link at its own tenant: %d", p.status)
	}
}

// TestPasswordResetLinkFromTheShell: `guildgate member reset-link EMAIL`
// prints a link the member can use once; a second one replaces the first;
// --json prints the API's view; an unknown address is an error.
func TestPasswordResetLinkFromTheShell(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	id := addMember(t, s, "ada@example.org")
	out := s.MustCLI(t, "", "member", "reset-link", "ADA@example.org")
	link := regexp.MustCompile(`https://\S+`).FindString(out)
	if !strings.Contains(out, "Password-reset link for ada@example.org") || link == "" {
		t.Fatalf("output %q", out)
	}
	replaced := pathOf(t, s, link)
	var v struct {
		MemberID  string `json:"member_id"`
		URL       string `json:"url"`
		ExpiresAt string `json:"expires_at"`
	}
	if err := json.Unmarshal([]byte(s.MustCLI(t, "", "member", "reset-link", "ada@example.org", "--json")), &v); err != nil ||
		v.MemberID != id || v.ExpiresAt == "" {
		t.Fatalf("json %+v, %v", v, err)
	}
	path := pathOf(t, s, v.URL)
	b := newBrowser(t, s)
	if p := b.get(replaced); p.status != http.StatusNotFound {
		t.Fatalf("the replaced link: %d", p.status)
	}
	form := b.get(path)
	good := url.Values{"csrf_token": {form.token}, "password": {newPassword}, "password2": {newPassword}}
	if p := b.post(path, good); p.status != http.StatusOK || !strings.Contains(p.body, "Your password has been changed") {
		t.Fatalf("reset: %d\n%s", p.status, p.body)
	}
	signInWith(t, newBrowser(t, s), "ada@example.org", newPassword)
	if p := b.post(path, good); p.status != http.StatusNotFound {
		t.Fatalf("the used link: %d", p.status)
	}
	if _, errOut, code := s.CLI(t, "", "member", "reset-link", "nobody@example.org"); code != 2 || !strings.Contains(errOut, "no member") {
		t.Fatalf("unknown member: %d %s", code, errOut)
	}
	if events := wantAudit(t, s, "member.password.reset_link.create", "member.password.reset_link.create",
		"member.password.reset_link.create"); events[0].Actor != "cli" || events[1].Actor != "cli" {
		t.Fatalf("audit %+v", events)
	}
}

// signInWith walks both login steps with pw.
func signInWith(t *testing.T, b *browser, email, pw string) {
	t.Helper()
	p := b.get("/login")
	p = b.post("/login", url.Values{"csrf_token": {p.token}, "email": {email}})
	p = b.post("/login", url.Values{"csrf_token": {p.token}, "email": {email}, "password": {pw}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("sign-in with the new password: %d", p.status)
	}
}
