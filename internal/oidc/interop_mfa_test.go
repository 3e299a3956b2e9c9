package oidc_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/pquerna/otp/totp"
	"golang.org/x/oauth2"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/testenv"
)

// The second-factor policy seen by go-oidc: amr and acr in verified ID
// tokens, acr_values step-up on a password session, enrolment before
// continuing, a requirement that cannot be met, and --require-mfa.

var (
	mfaSecret  = regexp.MustCompile(`<p class="secret"[^>]*><code>([A-Z2-7 ]+)</code>`)
	mfaPending = regexp.MustCompile(`name="pending" value="([^"]+)"`)
)

type acrClaims struct {
	AMR []string `json:"amr"`
	ACR string   `json:"acr"`
}

// mfaRP is go-oidc's view of one client.
type mfaRP struct {
	t        *testing.T
	ctx      context.Context
	conf     oauth2.Config
	verifier *oidc.IDTokenVerifier
}

func newMFARP(t *testing.T, s *testenv.Server, args ...string) mfaRP {
	c := addRP(t, s, args...)
	ctx := oidc.ClientContext(context.Background(), s.Client(t))
	provider, err := oidc.NewProvider(ctx, s.URL)
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		ACR []string `json:"acr_values_supported"`
	}
	if err := provider.Claims(&meta); err != nil || !slices.Equal(meta.ACR, []string{"phr", "mfa"}) {
		t.Fatalf("acr_values_supported %v %v", meta.ACR, err)
	}
	return mfaRP{t: t, ctx: ctx, verifier: provider.Verifier(&oidc.Config{ClientID: c.ID}),
		conf: oauth2.Config{ClientID: c.ID, ClientSecret: c.Secret, Endpoint: provider.Endpoint(), RedirectURL: rpRedirect,
			Scopes: []string{oidc.ScopeOpenID}}}
}

// authURL is the RP's authorization request with extra parameters.
func (rp mfaRP) authURL(state string, extra ...string) string {
	opts := []oauth2.AuthCodeOption{oidc.Nonce("n-" + state)}
	for i := 0; i+1 < len(extra); i += 2 {
		opts = append(opts, oauth2.SetAuthURLParam(extra[i], extra[i+1]))
	}
	return rp.conf.AuthCodeURL(state, opts...)
}

// claims redeems the code and verifies the ID token with go-oidc.
func (rp mfaRP) claims(code string) acrClaims {
	rp.t.Helper()
	tok, err := rp.conf.Exchange(rp.ctx, code)
	if err != nil {
		rp.t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := rp.verifier.Verify(rp.ctx, raw)
	if err != nil {
		rp.t.Fatal(err)
	}
	var c acrClaims
	if err := idt.Claims(&c); err != nil {
		rp.t.Fatal(err)
	}
	return c
}

// get fetches target (relative to the server or absolute) without following.
func get(t *testing.T, c *http.Client, base, target string) *http.Response {
	t.Helper()
	if strings.HasPrefix(target, "/") {
		target = base + target
	}
	resp, err := c.Get(target)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// enrolTOTP sets up an authenticator on the security page and returns its key.
func enrolTOTP(t *testing.T, c *http.Client, base, returnTo string) string {
	t.Helper()
	target := base + "/account/security/totp"
	if returnTo != "" {
		target += "?return_to=" + url.QueryEscape(returnTo)
	}
	resp, err := c.Get(target)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	sm, pm, cm := mfaSecret.FindStringSubmatch(body), mfaPending.FindStringSubmatch(body), csrfInput.FindStringSubmatch(body)
	if sm == nil || pm == nil || cm == nil {
		t.Fatalf("set-up page %d:\n%s", resp.StatusCode, body)
	}
	secret := strings.ReplaceAll(sm[1], " ", "")
	code, _ := totp.GenerateCode(secret, time.Now())
	resp, err = c.PostForm(base+"/account/security/totp", url.Values{"csrf_token": {cm[1]}, "pending": {pm[1]},
		"code": {code}, "return_to": {returnTo}})
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Your recovery codes") {
		t.Fatalf("confirm %d:\n%s", resp.StatusCode, body)
	}
	return secret
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}

// callback checks a redirect to the RP and returns its query.
func callback(t *testing.T, resp *http.Response, state string) url.Values {
	t.Helper()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), rpRedirect+"?") || loc.Query().Get("state") != state {
		t.Fatalf("want the callback, got %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query()
}

func TestACRAndAMRWithGoOIDC(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	s.MustCLI(t, rpPassword+"\n", "member", "add", "--email", rpEmail, "--name", "Ada Lovelace", "--password-stdin")
	rp := newMFARP(t, s)
	time.Sleep(clients.DefaultCacheTTL) // the server learns of CLI changes within this

	// A password sign-in: amr pwd, no acr.
	pwdBrowser := s.Client(t)
	signInBrowser(t, pwdBrowser, s.URL)
	if c := rp.claims(authorize(t, pwdBrowser, rp.authURL("s1"), "s1")); !slices.Equal(c.AMR, []string{"pwd"}) || c.ACR != "" {
		t.Fatalf("password sign-in: %+v", c)
	}

	// acr_values=phr: no passkey, so unmet_authentication_requirements at the redirect URI.
	q := callback(t, get(t, pwdBrowser, s.URL, rp.authURL("s2", "acr_values", "phr")), "s2")
	if q.Get("error") != "unmet_authentication_requirements" || q.Get("code") != "" {
		t.Fatalf("phr: %v", q)
	}
	// acr_values=mfa with prompt=none: nothing may be shown.
	q = callback(t, get(t, pwdBrowser, s.URL, rp.authURL("s3", "acr_values", "mfa", "prompt", "none")), "s3")
	if q.Get("error") != "interaction_required" {
		t.Fatalf("prompt=none: %v", q)
	}

	// acr_values=mfa for a member without a factor: set one up first, then on to the app.
	resp := get(t, pwdBrowser, s.URL, rp.authURL("s4", "acr_values", "mfa"))
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/account/security/totp?return_to=%2Foauth%2Fauthorize%3F") {
		t.Fatalf("enrol first: %d %q", resp.StatusCode, loc)
	}
	back, _ := url.Parse(loc)
	other := s.Client(t) // a second browser, signed in with the password only
	signInBrowser(t, other, s.URL)
	secret := enrolTOTP(t, pwdBrowser, s.URL, back.Query().Get("return_to"))
	c := rp.claims(callback(t, get(t, pwdBrowser, s.URL, back.Query().Get("return_to")), "s4").Get("code"))
	if !slices.Equal(c.AMR, []string{"pwd", "otp", "mfa"}) || c.ACR != "mfa" {
		t.Fatalf("after enrolment: %+v", c)
	}

	// Step-up: the other browser's password session meets acr_values=mfa by giving a code.
	resp = get(t, other, s.URL, rp.authURL("s5", "acr_values", "mfa"))
	loc = resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login/code?return_to=") {
		t.Fatalf("step-up: %d %q", resp.StatusCode, loc)
	}
	back, _ = url.Parse(loc)
	token := csrfOf(t, other, http.MethodGet, s.URL+loc, nil)
	code, _ := totp.GenerateCode(secret, time.Now().Add(30*time.Second)) // this step's code was spent on the enrolment
	resp, err := other.PostForm(s.URL+"/login/code", url.Values{"csrf_token": {token}, "code": {code},
		"return_to": {back.Query().Get("return_to")}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	c = rp.claims(callback(t, get(t, other, s.URL, resp.Header.Get("Location")), "s5").Get("code"))
	if !slices.Equal(c.AMR, []string{"pwd", "otp", "mfa"}) || c.ACR != "mfa" {
		t.Fatalf("after step-up: %+v", c)
	}
	// The stronger session answers later requests without asking again.
	if c := rp.claims(authorize(t, other, rp.authURL("s6", "acr_values", "mfa"), "s6")); c.ACR != "mfa" {
		t.Fatalf("mfa session: %+v", c)
	}
}

// TestRequireMFAClientAndAdminsPolicy: --require-mfa on a client sends a
// member without a factor to set one up before the app; --mfa admins sends
// an administrator without one to set it up before the console, and leaves
// other members alone.
func TestRequireMFAClientAndAdminsPolicy(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	s.MustCLI(t, rpPassword+"\n", "member", "add", "--email", rpEmail, "--name", "Ada Lovelace", "--password-stdin", "--admin")
	strict := newMFARP(t, s, "--require-mfa")
	plain := newMFARP(t, s)
	time.Sleep(clients.DefaultCacheTTL)
	browser := s.Client(t)
	signInBrowser(t, browser, s.URL)

	if c := plain.claims(authorize(t, browser, plain.authURL("p1"), "p1")); c.ACR != "" {
		t.Fatalf("plain client: %+v", c)
	}
	resp := get(t, browser, s.URL, strict.authURL("r1"))
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/account/security/totp?return_to=") {
		t.Fatalf("--require-mfa: %d %q", resp.StatusCode, loc)
	}
	if resp := get(t, browser, s.URL, "/admin/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("console under the optional policy: %d", resp.StatusCode)
	}

	s.MustCLI(t, "", "tenant", "update", "default", "--mfa", "admins")
	resp = get(t, browser, s.URL, "/admin/members")
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/account/security/totp?return_to=%2Fadmin%2Fmembers" {
		t.Fatalf("--mfa admins: %d %q", resp.StatusCode, loc)
	}
	enrolTOTP(t, browser, s.URL, "/admin/members")
	if resp := get(t, browser, s.URL, "/admin/members"); resp.StatusCode != http.StatusOK {
		t.Fatalf("console after enrolment: %d", resp.StatusCode)
	}
	if c := strict.claims(authorize(t, browser, strict.authURL("r2"), "r2")); c.ACR != "mfa" {
		t.Fatalf("--require-mfa after enrolment: %+v", c)
	}
	if _, _, code := s.CLI(t, "", "tenant", "update", "default", "--mfa", "sometimes"); code == 0 {
		t.Fatal("--mfa sometimes was accepted")
	}
}
