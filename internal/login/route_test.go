package login

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/ui"
)

// fakeRouter serves acme.example; err makes every call fail.
type fakeRouter struct{ err error }

func (f fakeRouter) Route(_ context.Context, _ model.Tenant, email, returnTo string) (SSORoute, bool, error) {
	if f.err != nil {
		return SSORoute{}, false, f.err
	}
	if !strings.HasSuffix(strings.ToLower(email), "@acme.example") {
		return SSORoute{}, false, nil
	}
	return SSORoute{Name: "Acme <Okta>", URL: "/auth/sso/start?connection=c1&return_to=" + url.QueryEscape(returnTo)}, true, nil
}

func (f fakeRouter) Buttons(context.Context, model.Tenant, string) ([]ui.SSOButton, error) {
	if f.err != nil {
		return nil, f.err
	}
	return []ui.SSOButton{{Name: "Acme <Okta>", URL: "/auth/sso/start?connection=c1"}}, nil
}

func withRouter(r DomainRouter) option {
	return func(e *env) { e.router = r }
}

func TestEmailStepRoutesDomain(t *testing.T) {
	e := newEnv(t, withRouter(fakeRouter{}))
	c := e.newClient()
	page := e.get(c, "/login")
	if !strings.Contains(page.body, `href="/auth/sso/start?connection=c1">Sign in with Acme &lt;Okta&gt;</a>`) {
		t.Fatalf("no escaped button on the email step:\n%s", page.body)
	}
	tok := csrfField.FindStringSubmatch(page.body)[1]
	r := e.post(c, "/login", url.Values{"csrf_token": {tok}, "email": {"Ann@ACME.example"}, "return_to": {"/oauth/authorize?x=1"}})
	if r.status != http.StatusOK || !strings.Contains(r.body, `id="continue" href="/auth/sso/start?connection=c1&amp;return_to=%2Foauth%2Fauthorize%3Fx%3D1"`) ||
		!strings.Contains(r.body, `http-equiv="refresh"`) || strings.Contains(r.body, `name="password"`) {
		t.Fatalf("routed email step: %d\n%s", r.status, r.body)
	}
	r = e.post(c, "/login", url.Values{"csrf_token": {tok}, "email": {"ann@bakers.example"}})
	if !strings.Contains(r.body, `name="password"`) {
		t.Fatalf("an unrouted domain did not get the password form:\n%s", r.body)
	}
}

// TestEmailStepRouterFailure: a failing router is a 500 on the email step
// (the member retries), but never hides the login page itself.
func TestEmailStepRouterFailure(t *testing.T) {
	e := newEnv(t, withRouter(fakeRouter{err: errors.New("store down")}))
	c := e.newClient()
	page := e.get(c, "/login")
	if page.status != http.StatusOK || strings.Contains(page.body, "Sign in with") {
		t.Fatalf("login page with a failing router: %d\n%s", page.status, page.body)
	}
	tok := csrfField.FindStringSubmatch(page.body)[1]
	r := e.post(c, "/login", url.Values{"csrf_token": {tok}, "email": {"ann@acme.example"}})
	if r.status != http.StatusInternalServerError || strings.Contains(r.body, "store down") {
		t.Fatalf("routing failure: %d\n%s", r.status, r.body)
	}
}
