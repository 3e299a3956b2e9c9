package login

import (
	"bytes"
	"context"
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

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/mfa"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/password"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
	"github.com/guildgate/guildgate/internal/tenancy"
	"github.com/guildgate/guildgate/internal/throttle"
	"github.com/guildgate/guildgate/internal/ui"
)

// cheap keeps argon2id fast in tests; the cost is the password package's concern.
var cheap = password.Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

const testPassword = "Correct-Horse-9f3b"

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fakeMetrics struct {
	mu  sync.Mutex
	got map[string]int
}

func (m *fakeMetrics) LoginAttempt(outcome string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.got[outcome]++
}

func (m *fakeMetrics) count(outcome string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.got[outcome]
}

// syncBuffer collects log output written from server goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is the login pages behind the middleware the app uses, on a real
// SQLite store, served over TLS.
type env struct {
	t       *testing.T
	st      store.Store
	tenant  model.Tenant
	clock   *clock
	metrics *fakeMetrics
	logs    *syncBuffer
	h       *Handler
	srv     *httptest.Server
	client  *http.Client
	router  DomainRouter
	mfa     *mfa.Service
}

type option func(*env)

func newEnv(t *testing.T, opts ...option) *env {
	t.Helper()
	e := &env{t: t, st: storetest.NewSQLite(t), clock: &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)},
		metrics: &fakeMetrics{got: map[string]int{}}, logs: &syncBuffer{}}
	e.tenant = model.Tenant{ID: ids.NewUUID(), Slug: "bakers", Name: "Guild of Bakers",
		Issuer: "https://bakers.example", CreatedAt: e.clock.t, UpdatedAt: e.clock.t}
	for _, o := range opts {
		o(e)
	}
	if err := e.st.Tenants().Create(context.Background(), e.tenant); err != nil {
		t.Fatal(err)
	}
	e.h = e.handler()
	e.srv = httptest.NewTLSServer(e.stack())
	t.Cleanup(e.srv.Close)
	e.client = e.newClient()
	return e
}

func (e *env) handler() *Handler {
	e.t.Helper()
	pages, err := ui.New()
	if err != nil {
		e.t.Fatal(err)
	}
	logger := slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	errs := &httpx.ErrorWriter{Logger: logger, Renderer: httpx.HTMLErrors{Logger: logger, Pages: ui.ErrorPages{
		UI: pages, Tenant: func(r *http.Request) model.Tenant { t, _ := tenancy.FromContext(r.Context()); return t },
	}}}
	kr, err := secrets.NewKeyring(secrets.GenerateKey())
	if err != nil {
		e.t.Fatal(err)
	}
	limiter := &throttle.Limiter{Store: e.st.Throttles(), Atomic: e.st.Atomic, Now: e.clock.Now,
		AccountAddress: throttle.Rate{Burst: 3, Every: 30 * time.Second}, IP: throttle.Rate{Burst: 50, Every: time.Second}}
	e.mfa = &mfa.Service{Factors: e.st.Factors(), Passkeys: e.st.Passkeys(), Members: e.st.Members(), Secrets: kr, Throttle: limiter,
		Audit: e.st.Audit(), Logger: logger, Now: e.clock.Now}
	return &Handler{
		UI: pages, Errors: errs, MFA: e.mfa, Secrets: kr,
		Sessions: &session.Manager{Store: e.st.Sessions(), Now: e.clock.Now},
		Members:  e.st.Members(), Hasher: password.NewHasher(cheap),
		Throttle: limiter,
		CSRF:     &httpx.CSRF{Errors: errs}, Audit: e.st.Audit(), Logger: logger,
		Metrics: e.metrics, Now: e.clock.Now, Router: e.router,
	}
}

// stack mounts the handler behind the recommended middleware order.
func (e *env) stack() http.Handler {
	mux := http.NewServeMux()
	e.h.Mount(mux)
	e.h.UI.Mount(mux)
	withTenant := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(tenancy.NewContext(r.Context(), e.tenant)))
		})
	}
	return httpx.Chain(httpx.RecordRoute(mux),
		httpx.LimitBody(0),
		httpx.WithRequestID,
		httpx.AccessLog{Logger: e.h.Logger, Now: time.Now}.Wrap,
		httpx.Recover{Errors: e.h.Errors}.Wrap,
		httpx.SecurityHeaders,
		httpx.RequireHTTPS{}.Wrap,
		withTenant,
	)
}

// newClient is a browser: a cookie jar, and redirects left for the test to see.
func (e *env) newClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	c := e.srv.Client()
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

func (e *env) addMember(email, pw string, edit ...func(*model.Member)) model.Member {
	e.t.Helper()
	m := model.Member{ID: ids.NewUUID(), TenantID: e.tenant.ID, Email: email, Name: "Ann Baker",
		Status: model.StatusCurrent, CreatedAt: e.clock.t, UpdatedAt: e.clock.t}
	if pw != "" {
		m.PasswordHash, _ = password.NewHasher(cheap).Hash(context.Background(), pw)
	}
	for _, f := range edit {
		f(&m)
	}
	if err := e.st.Members().Create(context.Background(), m); err != nil {
		e.t.Fatal(err)
	}
	return m
}

type response struct {
	status int
	header http.Header
	body   string
}

func (e *env) do(c *http.Client, req *http.Request) response {
	e.t.Helper()
	res, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, string(b)}
}

func (e *env) get(c *http.Client, path string) response {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
	return e.do(c, req)
}

func (e *env) post(c *http.Client, path string, form url.Values) response {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.do(c, req)
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrf loads a form page and returns its token.
func (e *env) csrf(c *http.Client, path string) string {
	e.t.Helper()
	m := csrfField.FindStringSubmatch(e.get(c, path).body)
	if m == nil {
		e.t.Fatalf("no csrf token on %s", path)
	}
	return m[1]
}

// signIn runs both steps and returns the final response.
func (e *env) signIn(c *http.Client, email, pw, returnTo string) response {
	e.t.Helper()
	tok := e.csrf(c, "/login")
	return e.post(c, "/login", url.Values{"csrf_token": {tok}, "email": {email}, "password": {pw}, "return_to": {returnTo}})
}

// cookie returns the client's cookie called name, or "".
func (e *env) cookie(c *http.Client, name string) string {
	u, _ := url.Parse(e.srv.URL)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

func (e *env) audit(action string) []model.AuditEvent {
	e.t.Helper()
	page, err := e.st.Audit().List(context.Background(), e.tenant.ID, store.AuditQuery{Action: action})
	if err != nil {
		e.t.Fatal(err)
	}
	return page.Items
}
