package account

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/onetime"
	"github.com/guildgate/guildgate/internal/password"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
	"github.com/guildgate/guildgate/internal/tenancy"
	"github.com/guildgate/guildgate/internal/ui"
)

const pw = "correct horse battery"

// env is the link pages on a real store with a clock the test moves; the
// end-to-end tests (admin/e2e) drive them through the whole server.
type env struct {
	h     http.Handler
	links *onetime.Service
	st    store.Store
	mu    sync.Mutex
	now   time.Time
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{st: storetest.NewSQLite(t), now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	clock := func() time.Time { e.mu.Lock(); defer e.mu.Unlock(); return e.now }
	tn := model.Tenant{ID: "t1", Slug: "default", Name: "Guild of Bakers", Issuer: "https://sso.example"}
	if err := e.st.Tenants().Create(t.Context(), tn); err != nil {
		t.Fatal(err)
	}
	pages, err := ui.New()
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	errs := &httpx.ErrorWriter{Logger: logger, Renderer: httpx.HTMLErrors{Logger: logger, Pages: ui.ErrorPages{UI: pages}}}
	dir := &directory.Service{Members: e.st.Members(), Groups: e.st.Groups(), Grants: e.st.Grants(), Clients: e.st.Clients(), Sessions: e.st.Sessions(), Audit: e.st.Audit(), Atomic: e.st.Atomic,
		Hasher: password.NewHasher(password.Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}), Now: clock}
	e.links = &onetime.Service{Links: e.st.OneTimeLinks(), Members: e.st.Members(), Dir: dir, Audit: e.st.Audit(), Now: clock, Atomic: e.st.Atomic}
	mux := http.NewServeMux()
	(&Handler{Links: e.links, UI: pages, Errors: errs, CSRF: &httpx.CSRF{Errors: errs},
		Sessions: &session.Manager{Store: e.st.Sessions(), Now: clock}}).Mount(mux)
	e.h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r.WithContext(tenancy.NewContext(r.Context(), tn)))
	})
	return e
}

func (e *env) advance(d time.Duration) { e.mu.Lock(); e.now = e.now.Add(d); e.mu.Unlock() }

var csrfToken = strings.Repeat("c", 43)

// do sends a request; a form is posted with a matching CSRF cookie.
func (e *env) do(method, path string, form url.Values) *httptest.ResponseRecorder {
	var r *http.Request
	if form == nil {
		r = httptest.NewRequest(method, "https://sso.example"+path, nil)
	} else {
		form.Set(httpx.CSRFField, csrfToken)
		r = httptest.NewRequest(method, "https://sso.example"+path, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.AddCookie(&http.Cookie{Name: httpx.CSRFCookie, Value: csrfToken})
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

func wantPage(t *testing.T, w *httptest.ResponseRecorder, status int, text string) {
	t.Helper()
	if w.Code != status || !strings.Contains(w.Body.String(), text) {
		t.Fatalf("status %d, want %d with %q:\n%s", w.Code, status, text, w.Body)
	}
}

func TestSetupSignsInAndOpensTheConsole(t *testing.T) {
	e := newEnv(t)
	token, _, err := e.links.SetupLink(t.Context(), "t1")
	if err != nil {
		t.Fatal(err)
	}
	wantPage(t, e.do("GET", onetime.SetupPath+token, nil), http.StatusOK, "Create the first administrator")
	w := e.do("POST", onetime.SetupPath+token, url.Values{"email": {"root@example.org"}, "name": {""},
		"password": {pw}, "password2": {pw}})
	wantPage(t, w, http.StatusUnprocessableEntity, "Your name is required.")
	w = e.do("POST", onetime.SetupPath+token, url.Values{"email": {"root@example.org"}, "name": {"Root"},
		"password": {pw}, "password2": {pw}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/admin/" ||
		!strings.Contains(w.Header().Get("Set-Cookie"), session.CookieName+"=") {
		t.Fatalf("setup: %d %v", w.Code, w.Header())
	}
}

// TestExpiredLinksAreRefused: past its lifetime a link shows a page that
// says so, and its form changes nothing.
func TestExpiredLinksAreRefused(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	setup, _, err := e.links.SetupLink(ctx, "t1")
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.links.Dir.AddMember(ctx, "cli", "t1", directory.MemberInput{Email: "ada@example.org", Name: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	reset, _, err := e.links.ResetLink(ctx, "cli", "t1", m.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.advance(onetime.SetupTTL)
	wantPage(t, e.do("GET", onetime.SetupPath+setup, nil), http.StatusNotFound, "This setup link has expired")
	wantPage(t, e.do("POST", onetime.SetupPath+setup, url.Values{"email": {"root@example.org"}, "name": {"Root"},
		"password": {pw}, "password2": {pw}}), http.StatusNotFound, "has expired")
	wantPage(t, e.do("GET", onetime.ResetPath+reset, nil), http.StatusOK, "ada@example.org")
	e.advance(onetime.ResetTTL)
	wantPage(t, e.do("GET", onetime.ResetPath+reset, nil), http.StatusNotFound, "This password-reset link has expired")
	wantPage(t, e.do("POST", onetime.ResetPath+reset, url.Values{"password": {pw}, "password2": {pw}}),
		http.StatusNotFound, "has expired")
	if has, err := e.st.Members().HasAdmin(ctx, "t1"); err != nil || has {
		t.Fatalf("an expired link made an administrator: %v %v", has, err)
	}
	if got, _ := e.st.Members().Get(ctx, "t1", m.ID); got.PasswordHash != "" {
		t.Fatal("an expired link set a password")
	}
}

func TestUnknownLinkIsRefused(t *testing.T) {
	e := newEnv(t)
	wantPage(t, e.do("GET", onetime.ResetPath+"nope", nil), http.StatusNotFound, "not valid")
	wantPage(t, e.do("GET", onetime.SetupPath+"nope", nil), http.StatusNotFound, "not valid")
}
