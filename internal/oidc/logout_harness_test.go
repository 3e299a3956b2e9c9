package oidc

import (
	"bytes"
	"context"
	"crypto/x509"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/keys"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/outbound"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
	"github.com/guildgate/guildgate/internal/tenancy"
	"github.com/guildgate/guildgate/internal/tokens"
	"github.com/guildgate/guildgate/internal/ui"
)

// logoutEnv is /log-out behind the app's middleware, on a real SQLite
// store, over TLS; relying parties are httptest TLS servers, which share
// one certificate, so the provider's HTTP client trusts them all.
type logoutEnv struct {
	t      *testing.T
	ctx    context.Context
	st     store.Store
	tenant model.Tenant
	member model.Member
	p      *Provider
	ep     *logoutEndpoint
	srv    *httptest.Server
	logs   *logoutLogs
}

type logoutLogs struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logoutLogs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *logoutLogs) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

func newLogoutEnv(t *testing.T, edit ...func(*model.Tenant)) *logoutEnv {
	t.Helper()
	e := &logoutEnv{t: t, ctx: context.Background(), st: storetest.NewSQLite(t), logs: &logoutLogs{}}
	now := time.Now().UTC()
	e.tenant = model.Tenant{ID: ids.NewUUID(), Slug: "bakers", Name: "Guild of Bakers",
		Issuer: "https://bakers.example", CreatedAt: now, UpdatedAt: now}
	for _, f := range edit {
		f(&e.tenant)
	}
	e.must(e.st.Tenants().Create(e.ctx, e.tenant))
	e.member = e.addMember("ann@example.org")
	var h http.Handler = http.NotFoundHandler()
	e.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(e.srv.Close)
	e.p = e.provider()
	e.ep = &logoutEndpoint{Provider: e.p, bc: newBackchannel(e.p.HTTPClient, e.p.Logger)}
	e.ep.bc.backoff = []time.Duration{time.Millisecond, time.Millisecond}
	t.Cleanup(e.ep.bc.wait) // no delivery outlives its test
	h = e.stack()
	return e
}

func (e *logoutEnv) provider() *Provider {
	keyring, err := secrets.NewKeyring(bytes.Repeat([]byte{7}, secrets.KeySize))
	e.must(err)
	logger := slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	km := &keys.Manager{Store: e.st.Keys(), Secrets: keyring, Now: time.Now}
	e.must(km.Ensure(e.ctx, e.tenant.ID))
	pages, err := ui.New()
	e.must(err)
	errs := &httpx.ErrorWriter{Logger: logger, Renderer: httpx.HTMLErrors{Logger: logger, Pages: ui.ErrorPages{UI: pages}}}
	return &Provider{
		Clients: &clients.Service{Store: e.st.Clients(), Groups: e.st.Groups(), Grants: e.st.Grants(), Audit: e.st.Audit(), Secrets: keyring, Now: time.Now},
		Keys:    km, Tokens: &tokens.Issuer{Keys: km, Now: time.Now},
		Sessions: &session.Manager{Store: e.st.Sessions(), Now: time.Now},
		UI:       pages, Pages: errs, CSRF: &httpx.CSRF{Errors: errs},
		Grants: e.st.Grants(), Members: e.st.Members(), Groups: e.st.Groups(),
		RefreshTokens: e.st.RefreshTokens(), Revocations: e.st.Revocations(),
		DeviceAuthorizations: e.st.DeviceAuthorizations(), AuthResumes: e.st.AuthResumes(),
		Audit: e.st.Audit(), Atomic: e.st.Atomic,
		Logger: logger, Now: time.Now, HTTPClient: reachRPs(e.srv, true).For(outbound.BackchannelLogout),
	}
}

// reachRPs is the production outbound client trusting httptest's
// certificate, which every relying party's test server shares; they are
// on loopback, so only allowPrivate reaches them.
func reachRPs(srv *httptest.Server, allowPrivate bool) *outbound.Client {
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return outbound.New(outbound.Options{AllowPrivate: allowPrivate, RootCAs: pool})
}

func (e *logoutEnv) stack() http.Handler {
	mux := http.NewServeMux()
	e.ep.mount(mux)
	e.p.UI.Mount(mux)
	withTenant := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(tenancy.NewContext(r.Context(), e.tenant)))
		})
	}
	return httpx.Chain(httpx.RecordRoute(mux), httpx.LimitBody(0), httpx.WithRequestID,
		httpx.AccessLog{Logger: e.p.Logger, Now: time.Now}.Wrap, httpx.Recover{Errors: e.p.Pages}.Wrap,
		httpx.SecurityHeaders, httpx.RequireHTTPS{}.Wrap, withTenant)
}

func (e *logoutEnv) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *logoutEnv) addMember(email string) model.Member {
	now := time.Now().UTC()
	m := model.Member{ID: ids.NewUUID(), TenantID: e.tenant.ID, Email: email, Name: "Ann Baker",
		Status: model.StatusCurrent, CreatedAt: now, UpdatedAt: now}
	e.must(e.st.Members().Create(e.ctx, m))
	return m
}

// addClient registers a client; edit adjusts the defaults.
func (e *logoutEnv) addClient(edit func(*clients.Input)) model.Client {
	in := clients.Input{Name: "Recipes", RedirectURIs: []string{"https://rp.example/cb"},
		PostLogoutRedirectURIs: []string{"https://rp.example/bye", "https://rp.example/bye2?from=gg"}}
	if edit != nil {
		edit(&in)
	}
	v, err := e.p.Clients.Create(e.ctx, "test", e.tenant.ID, in)
	e.must(err)
	return v.Client
}

// browser keeps cookies and leaves redirects for the test to see.
func (e *logoutEnv) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	c := *e.srv.Client()
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// signIn starts a session for m in browser c, as /login would.
func (e *logoutEnv) signIn(c *http.Client, m model.Member) model.Session {
	w := httptest.NewRecorder()
	r := httptest.NewRequest("GET", e.srv.URL, nil).WithContext(tenancy.NewContext(e.ctx, e.tenant))
	s, err := e.p.Sessions.Start(w, r, e.tenant, m, []string{"pwd"})
	e.must(err)
	u, _ := url.Parse(e.srv.URL)
	c.Jar.SetCookies(u, w.Result().Cookies())
	return s
}

// grant records an authorization of client in session s.
func (e *logoutEnv) grant(c model.Client, s model.Session, scopes ...string) model.Grant {
	now := time.Now().UTC().Truncate(time.Microsecond)
	g := model.Grant{ID: ids.NewUUID(), TenantID: e.tenant.ID, ClientID: c.ID, MemberID: s.MemberID,
		SessionID: s.ID, Scopes: append([]string{"openid"}, scopes...), AuthTime: s.AuthTime,
		CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	e.must(e.st.Grants().Create(e.ctx, g))
	return g
}

// idToken is the ID token the grant's client would hold.
func (e *logoutEnv) idToken(c model.Client, g model.Grant) string {
	m, err := e.st.Members().Get(e.ctx, e.tenant.ID, g.MemberID)
	e.must(err)
	tok, err := e.p.issueIDToken(e.ctx, e.tenant, c, holder{member: m}, g, idTokenRequest{Nonce: "n-1"})
	e.must(err)
	return tok
}

// bareHint is an ID token for sub that names no session (sid).
func (e *logoutEnv) bareHint(c model.Client, sub string) string {
	tok, err := e.p.Tokens.IDToken(e.ctx, tokens.IDTokenParams{Tenant: e.tenant, Client: c, Claims: map[string]any{"sub": sub}})
	e.must(err)
	return tok
}

type logoutResp struct {
	status int
	header http.Header
	body   string
}

func (e *logoutEnv) do(c *http.Client, req *http.Request) logoutResp {
	e.t.Helper()
	res, err := c.Do(req)
	e.must(err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return logoutResp{res.StatusCode, res.Header, string(b)}
}

func (e *logoutEnv) get(c *http.Client, q url.Values) logoutResp {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.srv.URL+PathLogout+"?"+q.Encode(), nil)
	return e.do(c, req)
}

func (e *logoutEnv) post(c *http.Client, form url.Values, header ...string) logoutResp {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL+PathLogout, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return e.do(c, req)
}

// live reports whether session s still exists in the store.
func (e *logoutEnv) live(s model.Session) bool {
	_, err := e.st.Sessions().Get(e.ctx, e.tenant.ID, s.ID)
	return err == nil
}

func (e *logoutEnv) revoked(g model.Grant) bool {
	got, err := e.st.Grants().Get(e.ctx, e.tenant.ID, g.ID)
	e.must(err)
	return !got.RevokedAt.IsZero()
}

var logoutCSRFField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func logoutHidden(body, name string) string {
	m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return strings.ReplaceAll(m[1], "&amp;", "&")
}
