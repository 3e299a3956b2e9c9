package legacysso_test

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
	"github.com/guildgate/guildgate/internal/testenv"
)

// The partner's registered redirect URIs.
const (
	partnerCB    = "https://partner.example/cb"
	partnerLang  = "https://partner.example/sso?lang=en"
	partnerLoop  = "http://127.0.0.1/cb" // loopback: any port matches (RFC 8252)
	rpCB         = "https://rp.example/oidc/cb"
	adaPassword  = "correct horse battery staple"
	bobPassword  = "tr0ub4dor&3 but longer"
	adaLegacyID  = "L-1815"
	restrictedTo = "board"
)

// world is one running server with the members and clients every test uses,
// all registered through the real CLI before the first request, so the
// client cache never has to catch up.
type world struct {
	s          *testenv.Server
	ada, bob   string // member ids
	partner    client // every member may use it
	restricted client // only the board group
	rp         client // an OIDC relying party
}

type client struct {
	ID     string `json:"client_id"`
	Secret string `json:"client_secret"`
	Name   string `json:"name"`
}

func newWorld(t *testing.T, backend testenv.Backend) *world {
	t.Helper()
	s := testenv.Start(t, backend, nil)
	w := &world{s: s}
	for _, g := range []string{"board", "chess"} {
		s.MustCLI(t, "", "group", "add", g)
	}
	w.ada = addMember(t, s, adaPassword, "--email", "Ada@Example.org", "--name", "Ada Lovelace",
		"--given-name", "Ada", "--family-name", "Lovelace", "--legacy-id", adaLegacyID,
		"--status", "grace_period", "--email-verified")
	w.bob = addMember(t, s, bobPassword, "--email", "bob@example.org", "--name", "Bob")
	s.MustCLI(t, "", "group", "add-member", "board", "ada@example.org")
	s.MustCLI(t, "", "group", "add-member", "chess", "ada@example.org")
	w.partner = addClient(t, s, "Partner Portal", "--redirect-uris", partnerCB+","+partnerLang+","+partnerLoop)
	w.restricted = addClient(t, s, "Board Room", "--redirect-uris", partnerCB, "--groups", restrictedTo)
	w.rp = addClient(t, s, "Journal", "--redirect-uris", rpCB)
	return w
}

func addMember(t *testing.T, s *testenv.Server, pw string, flags ...string) string {
	t.Helper()
	out := s.MustCLI(t, pw+"\n", append([]string{"member", "add", "--password-stdin", "--json"}, flags...)...)
	var m struct {
		ID string `json:"id"`
	}
	mustJSON(t, out, &m)
	return m.ID
}

func addClient(t *testing.T, s *testenv.Server, name string, flags ...string) client {
	t.Helper()
	out := s.MustCLI(t, "", append([]string{"client", "add", "--name", name, "--json", dataDir(s)}, flags...)...)
	var c client
	mustJSON(t, out, &c)
	if c.ID == "" || c.Secret == "" {
		t.Fatalf("client add printed no id or secret:\n%s", out)
	}
	return c
}

// dataDir points a client command at the server's master key, without
// which the CLI would seal secrets under a key of its own that the server
// cannot open.
func dataDir(s *testenv.Server) string { return "--data-dir=" + s.Config.DataDir }

func mustJSON(t *testing.T, out string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("CLI printed no JSON (%v):\n%s", err, out)
	}
}

// ssoPath is /sso/auth for the client and redirect URI.
func ssoPath(clientID, redirectURI string) string {
	return "/sso/auth?" + url.Values{"client_id": {clientID}, "redirect_uri": {redirectURI}}.Encode()
}

// get fetches path (or an absolute URL) without following redirects.
func get(t *testing.T, c *http.Client, base, path string) (*http.Response, string) {
	t.Helper()
	if strings.HasPrefix(path, "/") {
		path = base + path
	}
	resp, err := c.Get(path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func csrfToken(t *testing.T, body string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("page has no csrf_token field:\n%s", body)
	}
	return html.UnescapeString(m[1])
}

// signIn walks both steps of loginURL (a /login URL, maybe with return_to)
// and returns the final response's Location.
func signIn(t *testing.T, c *http.Client, base, loginURL, email, pw string) string {
	t.Helper()
	_, body := get(t, c, base, loginURL)
	returnTo := ""
	if u, err := url.Parse(loginURL); err == nil {
		returnTo = u.Query().Get("return_to")
	}
	form := url.Values{"csrf_token": {csrfToken(t, body)}, "email": {email}, "return_to": {returnTo}}
	_, body = postForm(t, c, base+"/login", form)
	if !strings.Contains(body, `name="password"`) {
		t.Fatalf("email step did not lead to the password step:\n%s", body)
	}
	form.Set("csrf_token", csrfToken(t, body))
	form.Set("password", pw)
	resp, body := postForm(t, c, base+"/login", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in answered %d, want 303:\n%s", resp.StatusCode, body)
	}
	return resp.Header.Get("Location")
}

func postForm(t *testing.T, c *http.Client, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// signedIn returns a client with a session for email.
func (w *world) signedIn(t *testing.T, email, pw string) *http.Client {
	t.Helper()
	c := w.s.Client(t)
	signIn(t, c, w.s.URL, "/login", email, pw)
	return c
}

// tokenFrom checks a successful /sso/auth answer and returns its token.
func tokenFrom(t *testing.T, resp *http.Response, redirectURI string) string {
	t.Helper()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("/sso/auth answered %d, want 302 (Location %q)", resp.StatusCode, resp.Header.Get("Location"))
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	loc := resp.Header.Get("Location")
	prefix := redirectURI + "?token="
	if strings.Contains(redirectURI, "?") {
		prefix = redirectURI + "&token="
	}
	tok, ok := strings.CutPrefix(loc, prefix)
	if !ok || tok == "" || strings.ContainsAny(tok, "&#") {
		t.Fatalf("Location %q is not %s<token>", loc, prefix)
	}
	return tok
}

// verify checks tok's HS256 signature with secret (go-jose, refusing every
// other algorithm) and returns its header and claims.
func verify(tok, secret string) (jose.Header, map[string]any, error) {
	jws, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.HS256})
	if err != nil {
		return jose.Header{}, nil, err
	}
	payload, err := jws.Verify([]byte(secret))
	if err != nil {
		return jose.Header{}, nil, err
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		return jose.Header{}, nil, err
	}
	return jws.Signatures[0].Header, claims, nil
}

func mustVerify(t *testing.T, tok, secret string) map[string]any {
	t.Helper()
	h, claims, err := verify(tok, secret)
	if err != nil {
		t.Fatalf("token does not verify with the client secret: %v", err)
	}
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != "guildgate-sso+jwt" || h.Algorithm != "HS256" {
		t.Errorf("header alg %q typ %q, want HS256 / guildgate-sso+jwt", h.Algorithm, typ)
	}
	if h.KeyID != "" {
		t.Errorf("header has kid %q; an HS256 token keyed by the client secret needs none", h.KeyID)
	}
	return claims
}

// auditEvents reads the legacysso.token events of the default tenant
// straight from the server's database.
func auditEvents(t *testing.T, s *testenv.Server) []model.AuditEvent {
	t.Helper()
	st, err := sqlstore.Open(t.Context(), s.Config.Database)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ten, err := st.Tenants().GetBySlug(t.Context(), "default")
	if err != nil {
		t.Fatal(err)
	}
	page, err := st.Audit().List(t.Context(), ten.ID, store.AuditQuery{Action: "legacysso.token", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return page.Items
}

// eventually retries fn until it succeeds or five seconds pass, for changes
// made through the CLI that the server's client cache sees within its TTL.
func eventually(t *testing.T, what string, fn func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if fn() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}
