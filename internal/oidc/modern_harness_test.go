package oidc_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/password"
)

// Helpers of the modern OAuth tests (PAR, request objects, private_key_jwt,
// DPoP, device flow): the token harness (the real app, a clock the test
// moves) plus a member who can sign in with a password through /login.

const modernPassword = "correct horse battery"

type modernEnv struct {
	*harness
	email string
}

func newModernEnv(t *testing.T) *modernEnv {
	t.Helper()
	h := newHarness(t)
	m := h.addMember("ada@example.org")
	hash, err := password.NewHasher(password.Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}).
		Hash(context.Background(), modernPassword)
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.Store.Members().Update(context.Background(), h.Tenant.ID, m.ID, func(m model.Member) (model.Member, error) {
		m.PasswordHash = hash
		return m, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return &modernEnv{harness: h, email: m.Email}
}

// clientKey is a key pair a relying party signs with, and its public JWK Set.
type clientKey struct {
	priv crypto.Signer
	kid  string
}

func newClientKey(t testing.TB, kid string) clientKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return clientKey{priv: k, kid: kid}
}

func (k clientKey) jwks(t testing.TB) string {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: k.priv.Public(), KeyID: k.kid, Algorithm: "ES256", Use: "sig"}}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// sign makes a compact JWS of claims with typ.
func (k clientKey) sign(t testing.TB, typ string, claims any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType(jose.ContentType(typ)).WithHeader("kid", k.kid)
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k.priv}, opts)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(s).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// signHS256 signs claims with a client secret.
func signHS256(t testing.TB, secret string, claims any) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte(secret)},
		(&jose.SignerOptions{}).WithType("oauth-authz-req+jwt"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(s).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// unsigned is a JWT with alg none.
func unsigned(t testing.TB, claims any) string {
	t.Helper()
	b, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none","typ":"oauth-authz-req+jwt"}`)) + "." + enc(b) + "."
}

// addModernClient registers a confidential client with the given edit.
func (e *modernEnv) addModernClient(edit func(*clients.Input)) testClient {
	in := clients.Input{Name: "Payments app"}
	if edit != nil {
		edit(&in)
	}
	return e.addClient(in)
}

// resp is one response, read whole.
type resp struct {
	status int
	header http.Header
	body   string
}

func (r resp) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("not JSON (%d): %s", r.status, r.body)
	}
	return m
}

func (e *modernEnv) do(c *http.Client, req *http.Request) resp {
	e.t.Helper()
	res, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, string(b)}
}

// postForm posts form to path, with basic authentication when c has a secret.
func (e *modernEnv) postForm(path string, c *testClient, form url.Values, header http.Header) resp {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, vs := range header {
		req.Header[k] = vs
	}
	if c != nil && c.Secret != "" {
		req.SetBasicAuth(url.QueryEscape(c.ID), url.QueryEscape(c.Secret))
	}
	return e.do(e.HTTP, req)
}

// browser is a cookie-keeping client that follows no redirect.
func (e *modernEnv) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Transport: e.HTTP.Transport, Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (e *modernEnv) get(c *http.Client, path string) resp {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.URL+path, nil)
	return e.do(c, req)
}

// signIn completes /login at loginPath (email, then password) and returns
// where it sends the browser.
func (e *modernEnv) signIn(c *http.Client, loginPath string) string {
	e.t.Helper()
	page := e.get(c, loginPath)
	m := authzCSRF.FindStringSubmatch(page.body)
	if page.status != http.StatusOK || m == nil {
		e.t.Fatalf("GET %s: %d, no sign-in form:\n%s", loginPath, page.status, page.body)
	}
	u, _ := url.Parse(loginPath)
	form := url.Values{"csrf_token": {html.UnescapeString(m[1])}, "email": {e.email}, "return_to": {u.Query().Get("return_to")}}
	post := func() resp {
		req, _ := http.NewRequest(http.MethodPost, e.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", e.URL)
		return e.do(c, req)
	}
	post()
	form.Set("password", modernPassword)
	r := post()
	if r.status != http.StatusSeeOther {
		e.t.Fatalf("sign-in: %d\n%s", r.status, r.body)
	}
	return r.header.Get("Location")
}

// signedIn is a browser whose member is signed in.
func (e *modernEnv) signedIn() *http.Client {
	c := e.browser()
	e.signIn(c, "/login")
	return c
}

// authorize sends the browser to /oauth/authorize with v and returns the
// response.
func (e *modernEnv) authorize(c *http.Client, v url.Values) resp {
	e.t.Helper()
	return e.get(c, "/oauth/authorize?"+v.Encode())
}

// redirectParams are the parameters of a redirect to the client, or nil.
func redirectParams(t testing.TB, r resp, redirect string) url.Values {
	t.Helper()
	loc := r.header.Get("Location")
	if r.status != http.StatusSeeOther || !strings.HasPrefix(loc, redirect) {
		return nil
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// requestObject is a request object's claims for client c, valid for a minute.
func (e *modernEnv) requestObject(c testClient, edit func(map[string]any)) map[string]any {
	now := e.Clock.Now()
	claims := map[string]any{"iss": c.ID, "aud": e.URL, "client_id": c.ID, "iat": now.Unix(), "nbf": now.Unix(),
		"exp": now.Add(time.Minute).Unix(), "response_type": "code", "redirect_uri": c.Redirect,
		"scope": "openid email", "state": "st-1", "nonce": "n-1",
		"code_challenge": challengeOf(verifier), "code_challenge_method": "S256"}
	if edit != nil {
		edit(claims)
	}
	return claims
}

// codeParams is a valid code request of client c with PKCE.
func codeParams(c testClient) url.Values {
	return url.Values{"client_id": {c.ID}, "redirect_uri": {c.Redirect}, "response_type": {"code"},
		"scope": {"openid email"}, "state": {"st-1"}, "nonce": {"n-1"},
		"code_challenge": {challengeOf(verifier)}, "code_challenge_method": {"S256"}}
}

// exchange redeems code for client c with the PKCE verifier.
func (e *modernEnv) exchange(c testClient, code string, header http.Header) resp {
	e.t.Helper()
	return e.postForm("/oauth/token", &c, url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {c.Redirect}, "code_verifier": {verifier}}, header)
}
