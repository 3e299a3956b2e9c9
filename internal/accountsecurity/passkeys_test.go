package accountsecurity

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/mfa"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/passkeys"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
	"github.com/guildgate/guildgate/internal/tenancy"
	"github.com/guildgate/guildgate/internal/throttle"
	"github.com/guildgate/guildgate/internal/ui"
)

// env is the security pages on a real store; the browser tests
// (app.TestBrowserPasskeyEnrol) drive them through the whole server.
type env struct {
	t      *testing.T
	h      http.Handler
	st     store.Store
	tenant model.Tenant
	now    time.Time
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, st: storetest.NewSQLite(t), now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return e.now }
	e.tenant = model.Tenant{ID: "t1", Slug: "default", Name: "Guild of Bakers", Issuer: "https://sso.example"}
	if err := e.st.Tenants().Create(t.Context(), e.tenant); err != nil {
		t.Fatal(err)
	}
	pages, err := ui.New()
	if err != nil {
		t.Fatal(err)
	}
	kr, err := secrets.NewKeyring(secrets.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	errs := &httpx.ErrorWriter{Logger: logger, Renderer: httpx.HTMLErrors{Logger: logger, Pages: ui.ErrorPages{UI: pages}}}
	limiter := &throttle.Limiter{Store: e.st.Throttles(), Now: clock}
	mux := http.NewServeMux()
	(&Handler{
		MFA: &mfa.Service{Factors: e.st.Factors(), Passkeys: e.st.Passkeys(), Members: e.st.Members(), Secrets: kr,
			Throttle: limiter, Audit: e.st.Audit(), Logger: logger, Now: clock},
		Passkeys: &passkeys.Service{Passkeys: e.st.Passkeys(), Members: e.st.Members(), Markers: e.st.AuthResumes(),
			Secrets: kr, Throttle: limiter, Audit: e.st.Audit(), Logger: logger, Now: clock},
		Sessions: &session.Manager{Store: e.st.Sessions(), Now: clock},
		UI:       pages, Errors: errs, CSRF: &httpx.CSRF{Errors: errs}, Now: clock,
	}).Mount(mux)
	e.h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r.WithContext(tenancy.NewContext(r.Context(), e.tenant)))
	})
	return e
}

// member is a member with one passkey, and the cookie of a session that
// signed in with amr.
type member struct {
	model.Member
	passkey model.Passkey
	cookie  *http.Cookie
}

func (e *env) member(email string, amr ...string) member {
	e.t.Helper()
	ctx := e.t.Context()
	m := model.Member{ID: "m-" + email, TenantID: e.tenant.ID, Email: email, Status: model.StatusCurrent,
		CreatedAt: e.now, UpdatedAt: e.now}
	if err := e.st.Members().Create(ctx, m); err != nil {
		e.t.Fatal(err)
	}
	p := model.Passkey{TenantID: e.tenant.ID, MemberID: m.ID, ID: "cred-" + email, Name: "Passkey 1",
		Record: []byte(`{}`), CreatedAt: e.now}
	if err := e.st.Passkeys().AddPasskey(ctx, p); err != nil {
		e.t.Fatal(err)
	}
	w := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "https://sso.example/", nil)
	if _, err := (&session.Manager{Store: e.st.Sessions(), Now: func() time.Time { return e.now }}).
		Start(w, r, e.tenant, m, amr); err != nil {
		e.t.Fatal(err)
	}
	return member{Member: m, passkey: p, cookie: w.Result().Cookies()[0]}
}

var csrfToken = strings.Repeat("c", 43)

// do sends a request as m; a form is posted with a matching CSRF cookie
// unless it holds no csrf_token (sent empty, the form has none).
func (e *env) do(m member, method, path string, form url.Values) *httptest.ResponseRecorder {
	var r *http.Request
	if form == nil {
		r = httptest.NewRequest(method, "https://sso.example"+path, nil)
	} else {
		if _, set := form[httpx.CSRFField]; !set {
			form.Set(httpx.CSRFField, csrfToken)
		}
		r = httptest.NewRequest(method, "https://sso.example"+path, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	r.AddCookie(&http.Cookie{Name: httpx.CSRFCookie, Value: csrfToken})
	r.AddCookie(m.cookie)
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

func (e *env) passkeys(m member) []model.Passkey {
	e.t.Helper()
	list, err := e.st.Passkeys().Passkeys(context.Background(), e.tenant.ID, m.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return list
}

func (e *env) audited(action string) int {
	e.t.Helper()
	events, err := e.st.Audit().List(context.Background(), e.tenant.ID, store.AuditQuery{Action: action, Limit: 100})
	if err != nil {
		e.t.Fatal(err)
	}
	return len(events.Items)
}

func wantPage(t *testing.T, w *httptest.ResponseRecorder, status int, texts ...string) {
	t.Helper()
	for _, text := range texts {
		if w.Code != status || !strings.Contains(w.Body.String(), text) {
			t.Fatalf("status %d, want %d with %q:\n%s", w.Code, status, text, w.Body)
		}
	}
}

// TestRenamePasskey: a member renames their own passkey from the security
// page; another member's passkey is not found (as a missing one is) and
// keeps its name, a bad name shows the page again with the name as typed,
// and a form without its CSRF token is refused. Only the rename that
// happened is audited.
func TestRenamePasskey(t *testing.T) {
	e := newEnv(t)
	ann := e.member("ann@example.org", "pwd") // a password is enough: a name weakens nothing
	bob := e.member("bob@example.org", "pwd", "otp", "mfa")

	page := e.do(ann, "GET", Path, nil)
	wantPage(t, page, http.StatusOK, `action="/account/security/passkeys/rename"`, `<summary>Rename Passkey 1</summary>`,
		`<label for="rename-cred-ann@example.org">New name for “Passkey 1”</label>`)

	wantPage(t, e.do(ann, "POST", PathPasskeyRename, url.Values{"id": {bob.passkey.ID}, "name": {"Mine now"}}),
		http.StatusNotFound, "You have no such passkey.")
	wantPage(t, e.do(ann, "POST", PathPasskeyRename, url.Values{"id": {"missing"}, "name": {"Mine now"}}),
		http.StatusNotFound, "You have no such passkey.")
	for _, bad := range []string{"", "  ", "Two\nlines", strings.Repeat("x", passkeys.MaxNameLen+1)} {
		w := e.do(ann, "POST", PathPasskeyRename, url.Values{"id": {ann.passkey.ID}, "name": {bad}})
		wantPage(t, w, http.StatusUnprocessableEntity, `role="alert"`, "1 to 64 characters", `aria-invalid="true"`,
			`<details class="rename" open>`)
	}
	w := e.do(ann, "POST", PathPasskeyRename, url.Values{"id": {ann.passkey.ID}, "name": {"Work laptop"}, "csrf_token": {""}})
	wantPage(t, w, http.StatusForbidden, "The form expired")
	if n := e.audited("passkey.renamed"); n != 0 {
		t.Fatalf("%d renames audited before any happened", n)
	}
	if got := e.passkeys(ann)[0].Name; got != "Passkey 1" {
		t.Fatalf("a refused rename changed the name to %q", got)
	}

	w = e.do(ann, "POST", PathPasskeyRename, url.Values{"id": {ann.passkey.ID}, "name": {"  Work laptop  "}})
	wantPage(t, w, http.StatusOK, "The passkey is now called “Work laptop”.", "<strong>Work laptop</strong>")
	if got := e.passkeys(ann)[0].Name; got != "Work laptop" {
		t.Fatalf("name %q, want Work laptop", got)
	}
	if got := e.passkeys(bob)[0].Name; got != "Passkey 1" {
		t.Fatalf("the other member's passkey is now called %q", got)
	}
	if n := e.audited("passkey.renamed"); n != 1 {
		t.Fatalf("%d renames audited, want 1", n)
	}
}

// TestRemovePasskeyIsConfirmed: the security page's remove button leads
// to a page that names the passkey; only the POST from that page removes
// it. A post without the confirmation (an old page's button) asks too,
// another member's passkey is not found, and a session that did not prove
// the second factor is sent to prove it first.
func TestRemovePasskeyIsConfirmed(t *testing.T) {
	e := newEnv(t)
	ann := e.member("ann@example.org", "pwd", "otp", "mfa")
	bob := e.member("bob@example.org", "pwd", "otp", "mfa")
	confirmURL := PathPasskeyRemove + "?id=" + url.QueryEscape(ann.passkey.ID)

	wantPage(t, e.do(ann, "GET", Path, nil), http.StatusOK,
		`<a class="button secondary" href="/account/security/passkeys/remove?id=cred-ann%40example.org">Remove Passkey 1</a>`)
	for _, w := range []*httptest.ResponseRecorder{
		e.do(ann, "GET", confirmURL, nil),
		e.do(ann, "POST", PathPasskeyRemove, url.Values{"id": {ann.passkey.ID}}),
	} {
		wantPage(t, w, http.StatusOK, "<h1>Remove the passkey “Passkey 1”?</h1>", `name="confirmed" value="yes"`,
			`<button type="submit" class="danger">Remove</button>`, `<a href="/account/security">Keep it</a>`)
	}
	if len(e.passkeys(ann)) != 1 {
		t.Fatal("asking removed the passkey")
	}

	wantPage(t, e.do(ann, "GET", PathPasskeyRemove+"?id="+url.QueryEscape(bob.passkey.ID), nil),
		http.StatusNotFound, "You have no such passkey.")
	wantPage(t, e.do(ann, "POST", PathPasskeyRemove, url.Values{"id": {bob.passkey.ID}}),
		http.StatusNotFound, "You have no such passkey.")
	e.do(ann, "POST", PathPasskeyRemove, url.Values{"id": {bob.passkey.ID}, "confirmed": {"yes"}})
	if len(e.passkeys(bob)) != 1 {
		t.Fatal("a member removed another member's passkey")
	}
	w := e.do(ann, "POST", PathPasskeyRemove, url.Values{"id": {ann.passkey.ID}, "confirmed": {"yes"}, "csrf_token": {""}})
	wantPage(t, w, http.StatusForbidden, "The form expired")

	weak := e.member("cy@example.org", "pwd")
	for _, w := range []*httptest.ResponseRecorder{
		e.do(weak, "GET", PathPasskeyRemove+"?id="+url.QueryEscape(weak.passkey.ID), nil),
		e.do(weak, "POST", PathPasskeyRemove, url.Values{"id": {weak.passkey.ID}, "confirmed": {"yes"}}),
	} {
		if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), mfa.CodePath) {
			t.Fatalf("password-only session: %d %v", w.Code, w.Header())
		}
	}
	if len(e.passkeys(weak)) != 1 {
		t.Fatal("a password-only session removed a passkey")
	}

	w = e.do(ann, "POST", PathPasskeyRemove, url.Values{"id": {ann.passkey.ID}, "confirmed": {"yes"}})
	wantPage(t, w, http.StatusOK, "The passkey has been removed.")
	if len(e.passkeys(ann)) != 0 || e.audited("passkey.removed") != 1 {
		t.Fatalf("after the confirming post: %d passkeys left, %d removals audited", len(e.passkeys(ann)), e.audited("passkey.removed"))
	}
}
