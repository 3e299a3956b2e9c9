package oidc_test

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/testenv"
)

// Helpers of the authorization endpoint's tests. Everything is prefixed
// authz: other endpoints' tests share this package.

const (
	authzRedirect = "https://rp.example/cb"
	authzEmail    = "ann@example.org"
	authzPassword = "correct horse battery"
	// authzNonce and authzState are distinctive, so a test can tell them
	// apart from anything else in a response.
	authzNonce = "n-0S6_WzA2Mj"
	authzState = "af0ifjsldkj+/ &x=y"
)

// authzEnv is the real server with one member and one confidential client
// that may use every response type: it opts in to the implicit grant, which
// new clients do not get by default (TestAuthorizeImplicitIsOptIn).
type authzEnv struct {
	t        *testing.T
	s        *testenv.Server
	memberID string
	client   authzClient
}

type authzClient struct {
	ID     string `json:"client_id"`
	Secret string `json:"client_secret"`
}

func newAuthzEnv(t *testing.T) *authzEnv {
	t.Helper()
	e := &authzEnv{t: t, s: testenv.Start(t, testenv.SQLite, nil)}
	e.memberID = e.addMember(authzEmail)
	e.client = e.addClient("--redirect-uris", authzRedirect, "--grant-types", "authorization_code,implicit,refresh_token")
	return e
}

// with returns e reporting to t, for use inside a subtest.
func (e *authzEnv) with(t *testing.T) *authzEnv {
	c := *e
	c.t = t
	return &c
}

// addMember adds a member with authzPassword and returns their id.
func (e *authzEnv) addMember(email string) string {
	e.t.Helper()
	var m struct {
		ID string `json:"id"`
	}
	out := e.s.MustCLI(e.t, authzPassword+"\n", "member", "add", "--email", email, "--name", "Ann Baker", "--password-stdin", "--json")
	if err := json.Unmarshal([]byte(out), &m); err != nil || m.ID == "" {
		e.t.Fatalf("member add: %v: %s", err, out)
	}
	return m.ID
}

// addClient registers a client named "Bakery App" with the given flags.
// Add clients before the first authorization request: the server's client
// cache notices changes made by the CLI only within clients.DefaultCacheTTL.
func (e *authzEnv) addClient(flags ...string) authzClient {
	e.t.Helper()
	var c authzClient
	// --data-dir: the server's master key, not one made up in the working directory.
	args := []string{"client", "add", "--data-dir", e.s.Config.DataDir, "--name", "Bakery App", "--json"}
	out := e.s.MustCLI(e.t, "", append(args, flags...)...)
	if err := json.Unmarshal([]byte(out), &c); err != nil || c.ID == "" {
		e.t.Fatalf("client add: %v: %s", err, out)
	}
	return c
}

// browser is a cookie-keeping client that does not follow redirects.
func (e *authzEnv) browser() *http.Client { return e.s.Client(e.t) }

// signedIn is a browser with ann signed in.
func (e *authzEnv) signedIn() *http.Client {
	c := e.browser()
	e.signIn(c, authzEmail, "/login")
	return c
}

var authzCSRF = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// signIn runs both login steps from the form at loginPath (which may carry
// return_to, login_hint and prompt) and returns the final response.
func (e *authzEnv) signIn(c *http.Client, email, loginPath string) authzResp {
	e.t.Helper()
	page := e.get(c, loginPath)
	m := authzCSRF.FindStringSubmatch(page.body)
	if page.status != http.StatusOK || m == nil {
		e.t.Fatalf("GET %s: %d, no sign-in form:\n%s", loginPath, page.status, page.body)
	}
	u, _ := url.Parse(loginPath)
	form := url.Values{"csrf_token": {html.UnescapeString(m[1])}, "email": {email}, "return_to": {u.Query().Get("return_to")}}
	e.post(c, "/login", form)
	form.Set("password", authzPassword)
	r := e.post(c, "/login", form)
	if r.status != http.StatusSeeOther {
		e.t.Fatalf("sign-in: %d\n%s", r.status, r.body)
	}
	return r
}

// authzResp is one response, read whole.
type authzResp struct {
	status int
	header http.Header
	body   string
}

func (r authzResp) location() string { return r.header.Get("Location") }

func (e *authzEnv) do(c *http.Client, req *http.Request) authzResp {
	e.t.Helper()
	res, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return authzResp{res.StatusCode, res.Header, string(b)}
}

// get fetches a path (or an absolute URL) on the server.
func (e *authzEnv) get(c *http.Client, path string) authzResp {
	e.t.Helper()
	if strings.HasPrefix(path, "/") {
		path = e.s.URL + path
	}
	req, _ := http.NewRequest(http.MethodGet, path, nil)
	return e.do(c, req)
}

func (e *authzEnv) post(c *http.Client, path string, form url.Values) authzResp {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.s.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.do(c, req)
}

// params is a valid request for response type rt, edited by the caller.
func (e *authzEnv) params(rt string) url.Values {
	return url.Values{"client_id": {e.client.ID}, "redirect_uri": {authzRedirect}, "response_type": {rt},
		"scope": {"openid profile email"}, "state": {authzState}, "nonce": {authzNonce}}
}

func (e *authzEnv) authorize(c *http.Client, v url.Values) authzResp {
	e.t.Helper()
	return e.get(c, "/oauth/authorize?"+v.Encode())
}

// authzReply is what reached the client and how: "query", "fragment" or
// "form_post" (or "" when the response went nowhere near the client).
type authzReply struct {
	mode   string
	params url.Values
}

var (
	authzFormAction = regexp.MustCompile(`<form method="post" action="([^"]*)">`)
	authzHidden     = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// reply decodes the response as the client would receive it.
func (e *authzEnv) reply(r authzResp) authzReply {
	e.t.Helper()
	if m := authzFormAction.FindStringSubmatch(r.body); r.status == http.StatusOK && m != nil {
		if html.UnescapeString(m[1]) != authzRedirect {
			e.t.Fatalf("form_post to %q", m[1])
		}
		v := url.Values{}
		for _, in := range authzHidden.FindAllStringSubmatch(r.body, -1) {
			v.Add(html.UnescapeString(in[1]), html.UnescapeString(in[2]))
		}
		return authzReply{"form_post", v}
	}
	loc := r.location()
	if r.status != http.StatusSeeOther || !strings.HasPrefix(loc, authzRedirect) {
		return authzReply{}
	}
	u, err := url.Parse(loc)
	if err != nil {
		e.t.Fatal(err)
	}
	if u.Fragment != "" {
		v, _ := url.ParseQuery(u.EscapedFragment())
		if u.RawQuery != "" {
			e.t.Fatalf("parameters in both query and fragment: %s", loc)
		}
		return authzReply{"fragment", v}
	}
	return authzReply{"query", u.Query()}
}

// wantError checks an error response at the client: code, mode, state
// echoed unchanged, iss present, a description and nothing issued.
func (e *authzEnv) wantError(r authzResp, mode, code string) {
	e.t.Helper()
	got := e.reply(r)
	if got.mode != mode || got.params.Get("error") != code {
		e.t.Fatalf("want %s in %s, got %q in %q: %d %s\n%s", code, mode, got.params.Get("error"), got.mode, r.status, r.location(), r.body)
	}
	if got.params.Get("state") != authzState || got.params.Get("iss") != e.s.URL || got.params.Get("error_description") == "" {
		e.t.Fatalf("state/iss/description: %v", got.params)
	}
	for _, k := range []string{"code", "id_token", "access_token"} {
		if got.params.Has(k) {
			e.t.Fatalf("error response carries %s", k)
		}
	}
}
