package ui

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/model"
)

func newUI(t *testing.T) *UI {
	t.Helper()
	u, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// samples renders every page with realistic data.
var samples = map[string]any{
	PageLoginEmail: LoginEmail{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Email: "ann@example.org", ReturnTo: "/oauth/authorize?x=1", Error: i18n.M("login.error.enter_email"),
		Passkey: &PasskeyForm{Options: `{"challenge":"AAAA"}`, State: "s"}},
	PageLoginPassword: LoginPassword{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Email: "ann@example.org", ReturnTo: "/x", ChangeEmailURL: "/login?login_hint=ann%40example.org", Error: i18n.M("login.error.incorrect")},
	PageSignedIn:      SignedIn{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Name: "Ann", Email: "ann@example.org"},
	PageLogoutConfirm: LogoutConfirm{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Email: "ann@example.org", Hidden: []HiddenField{{"state", "s1"}}},
	PageSignedOut:     SignedOut{Page: Page{Site: "Guild of Bakers"}},
	PageSSORedirect:   SSORedirect{Page: Page{Site: "Guild of Bakers"}, Name: "Acme Okta", URL: "/auth/sso/start?connection=c1"},
	PageSSOError:      SSOError{Page: Page{Site: "Guild of Bakers"}, Status: 502, Heading: i18n.M("federation.heading.failed"), Message: i18n.M("federation.unavailable"), RetryURL: "/auth/sso/start?connection=c1", RequestID: "rid-2"},
	PageSSOSetup: SSOSetup{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Connection: "Acme", Domains: "acme.example",
		CallbackURLs: []string{"sso.example/auth/sso/callback"} /* no scheme: the check below bans any */, Problems: []string{"client_id: is required"},
		Findings: []SSOFinding{{Check: "jwks", Message: "unreachable"}}},
	PageError: ErrorPage{Page: Page{Site: "Guild of Bakers"}, Status: 403, Heading: i18n.M("error.heading.forbidden"), Message: i18n.Raw("No."), RequestID: "rid-1"},
}

func render(t *testing.T, u *UI, name string, data any) (*httptest.ResponseRecorder, string) {
	t.Helper()
	w := httptest.NewRecorder()
	if err := u.Render(w, 200, name, data); err != nil {
		t.Fatalf("render %s: %v", name, err)
	}
	return w, w.Body.String()
}

func TestEveryPageRenders(t *testing.T) {
	u := newUI(t)
	for _, name := range pageNames {
		w, body := render(t, u, name, samples[name])
		if !strings.Contains(body, "Guild of Bakers") || !strings.Contains(body, `<html lang="en">`) {
			t.Errorf("%s: no site name or lang", name)
		}
		if w.Header().Get("Cache-Control") != "no-store" || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
			t.Errorf("%s: headers %v", name, w.Header())
		}
		if !strings.Contains(body, u.StaticURL("gg.css")) {
			t.Errorf("%s: stylesheet missing", name)
		}
	}
}

// TestFirstRendersAtOnce: a page is parsed on its first render, so the
// first renders of a page arriving together (a burst of sign-ins right after
// start-up) must each get the whole page, identical, parsed once.
func TestFirstRendersAtOnce(t *testing.T) {
	u := newUI(t)
	_, want := render(t, u, PageLoginPassword, samples[PageLoginPassword])
	u = newUI(t)
	const n = 16
	bodies := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			w := httptest.NewRecorder()
			if err := u.Render(w, http.StatusOK, PageLoginPassword, samples[PageLoginPassword]); err != nil {
				t.Error(err)
			}
			bodies[i] = w.Body.String()
		})
	}
	wg.Wait()
	for i, b := range bodies {
		if b != want {
			t.Fatalf("render %d of %d differs from a lone render: %d bytes, want %d", i, n, len(b), len(want))
		}
	}
}

func TestRenderUnknownPageWritesNothing(t *testing.T) {
	w := httptest.NewRecorder()
	if err := newUI(t).Render(w, 200, "nope", nil); err == nil || w.Body.Len() != 0 || len(w.Header()) != 0 {
		t.Fatalf("err %v, wrote %q", err, w.Body)
	}
}

func TestPagesHaveNoInlineCodeAndLabelledInputs(t *testing.T) {
	inline := regexp.MustCompile(`(?i)<script|<style|\sstyle=|\son[a-z]+=|javascript:|https?://`)
	visibleInput := regexp.MustCompile(`<input id="([a-z_]+)"`)
	u := newUI(t)
	// Our own script file, from our origin, is what the CSP allows.
	ownScript := `<script src="` + u.StaticURL("passkey.js") + `" defer></script>`
	for _, name := range pageNames {
		_, body := render(t, u, name, samples[name])
		if m := inline.FindString(strings.ReplaceAll(body, ownScript, "")); m != "" {
			t.Errorf("%s contains %q (CSP forbids inline code and foreign origins)", name, m)
		}
		for _, m := range visibleInput.FindAllStringSubmatch(body, -1) {
			if !strings.Contains(body, `<label for="`+m[1]+`"`) {
				t.Errorf("%s: input %s has no label", name, m[1])
			}
		}
	}
}

func TestAutocompleteAttributes(t *testing.T) {
	u := newUI(t)
	_, email := render(t, u, PageLoginEmail, LoginEmail{})
	_, passkey := render(t, u, PageLoginEmail, samples[PageLoginEmail]) // passkeys in the autofill too
	_, pw := render(t, u, PageLoginPassword, samples[PageLoginPassword])
	if !strings.Contains(email, `autocomplete="username"`) || !strings.Contains(passkey, `autocomplete="username webauthn"`) ||
		!strings.Contains(pw, `autocomplete="current-password"`) ||
		!strings.Contains(pw, `autocomplete="username"`) {
		t.Fatal("autocomplete attributes missing")
	}
}

func TestUserDataIsEscaped(t *testing.T) {
	_, body := render(t, newUI(t), PageLoginEmail, LoginEmail{Email: `"><script>alert(1)</script>`, ReturnTo: `"/x`})
	if strings.Contains(body, "<script>") {
		t.Fatal("email not escaped")
	}
}

func TestStaticFilesAreVersioned(t *testing.T) {
	u := newUI(t)
	mux := http.NewServeMux()
	u.Mount(mux)
	get := func(path string) *http.Response {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		return w.Result()
	}
	cur := get(u.StaticURL("gg.css"))
	body, _ := io.ReadAll(cur.Body)
	want, _ := fs.ReadFile(staticFS, "static/gg.css")
	if cur.StatusCode != 200 || string(body) != string(want) || !strings.HasPrefix(cur.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("current: %d %s", cur.StatusCode, cur.Header)
	}
	if cc := cur.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") || !strings.Contains(cc, "immutable") {
		t.Fatalf("current version Cache-Control %q", cc)
	}
	if cc := get("/static/0000/gg.css").Header.Get("Cache-Control"); cc != "no-cache" {
		t.Fatalf("stale version Cache-Control %q", cc)
	}
	if code := get("/static/" + u.static.Version("gg.css") + "/missing.css").StatusCode; code != 404 {
		t.Fatalf("missing file: %d", code)
	}
}

func TestErrorPages(t *testing.T) {
	p := ErrorPages{UI: newUI(t), Tenant: func(*http.Request) model.Tenant { return model.Tenant{Name: "Guild of Bakers"} }}
	w := httptest.NewRecorder()
	if err := p.ErrorPage(w, httptest.NewRequest("GET", "/", nil), 429, i18n.Raw("Wait a bit."), "rid-9"); err != nil {
		t.Fatal(err)
	}
	body := w.Body.String()
	for _, s := range []string{"Wait a bit.", "rid-9", "429", "Guild of Bakers", "Please wait"} {
		if !strings.Contains(body, s) {
			t.Errorf("error page lacks %q", s)
		}
	}
	if w.Code != 429 {
		t.Errorf("status %d", w.Code)
	}
}

// The error page speaks the reader's language: the browser's, else the
// tenant's default.
func TestErrorPagesTranslate(t *testing.T) {
	p := ErrorPages{UI: newUI(t), Tenant: func(*http.Request) model.Tenant {
		return model.Tenant{Name: "Gilde", DefaultLanguage: "nl"}
	}}
	for accept, want := range map[string][]string{
		"fr-FR,fr;q=0.9": {`<html lang="fr">`, "Veuillez patienter", "Trop de tentatives de connexion. Réessayez dans 3 secondes.", "Erreur 429"},
		"":               {`<html lang="nl">`, "Even geduld", "Te veel inlogpogingen. Probeer het over 3 seconden opnieuw.", "Fout 429"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", accept)
		w := httptest.NewRecorder()
		if err := p.ErrorPage(w, r, 429, i18n.M("login.error.throttled", 3), "rid-9"); err != nil {
			t.Fatal(err)
		}
		for _, s := range want {
			if !strings.Contains(w.Body.String(), s) {
				t.Errorf("Accept-Language %q: page lacks %q:\n%s", accept, s, w.Body)
			}
		}
	}
}
