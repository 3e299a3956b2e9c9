package login

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// getLang fetches path with an Accept-Language header.
func (e *env) getLang(path, accept string) response {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
	req.Header.Set("Accept-Language", accept)
	return e.do(e.newClient(), req)
}

func wantPage(t *testing.T, r response, lang string, texts ...string) {
	t.Helper()
	if !strings.Contains(r.body, `<html lang="`+lang+`">`) {
		t.Errorf("want a page in %s:\n%s", lang, r.body)
	}
	for _, s := range texts {
		if !strings.Contains(r.body, s) {
			t.Errorf("page in %s lacks %q:\n%s", lang, s, r.body)
		}
	}
}

// The sign-in page speaks the language the application asked for in
// ui_locales (carried in return_to), over the browser's Accept-Language,
// over the tenant's default.
func TestLoginPageLanguage(t *testing.T) {
	e := newEnv(t, func(e *env) { e.tenant.DefaultLanguage = "es" })
	authorize := "/oauth/authorize?" + url.Values{"client_id": {"c1"}, "ui_locales": {"fr-CA en"}}.Encode()
	withUI := "/login?" + url.Values{"return_to": {authorize}}.Encode()

	wantPage(t, e.getLang(withUI, "de-DE,de;q=0.9"), "fr", "Adresse e-mail", "Continuer", "Aller au contenu")
	wantPage(t, e.getLang("/login", "de-DE,de;q=0.9"), "de", "E-Mail-Adresse", "Weiter", "Zum Inhalt springen")
	wantPage(t, e.getLang("/login?ui_locales=nl", "de"), "nl", "E-mailadres", "Doorgaan")
	wantPage(t, e.getLang("/login", "ja,zh;q=0.5"), "es", "Correo electrónico", "Continuar")
	wantPage(t, e.getLang("/login", ""), "es", "Iniciar sesión")
}

// A failed sign-in answers in the language of the form it came from: the
// POST carries return_to, and with it the application's ui_locales.
func TestLoginErrorsInTheMembersLanguage(t *testing.T) {
	e := newEnv(t)
	e.addMember("ann@example.org", "correct horse battery")
	c := e.newClient()
	returnTo := "/oauth/authorize?" + url.Values{"ui_locales": {"de"}}.Encode()
	tok := e.csrf(c, "/login")
	r := e.post(c, "/login", url.Values{"csrf_token": {tok}, "email": {"ann@example.org"}, "password": {"wrong"}, "return_to": {returnTo}})
	wantPage(t, r, "de", "E-Mail-Adresse oder Passwort ist falsch.", `aria-describedby="form-error"`, "Anmeldung als <strong>ann@example.org</strong>")
	r = e.post(c, "/login", url.Values{"csrf_token": {tok}, "email": {"not an address"}, "return_to": {returnTo}})
	wantPage(t, r, "de", "Geben Sie Ihre E-Mail-Adresse ein, zum Beispiel name@example.org.")
}
