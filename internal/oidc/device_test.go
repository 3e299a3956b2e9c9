package oidc_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/mfa"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oidc"
	"github.com/guildgate/guildgate/internal/throttle"
)

// Helpers of the device flow's tests (RFC 8628).

var userCodeShape = regexp.MustCompile(`^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$`)

// deviceClient registers a public client allowed the device grant.
func (e *modernEnv) deviceClient() testClient {
	return e.addModernClient(func(in *clients.Input) {
		in.Name, in.Public = "Lobby screen", true
		in.GrantTypes = []string{model.GrantDeviceCode, model.GrantRefreshToken}
	})
}

// deviceStart asks for a device authorization and returns its answer.
func (e *modernEnv) deviceStart(c testClient, scope string) map[string]any {
	e.t.Helper()
	form := url.Values{"client_id": {c.ID}, "scope": {scope}}
	r := e.postForm(oidc.PathDeviceAuthorization, &c, form, nil)
	if r.status != http.StatusOK || r.header.Get("Cache-Control") != "no-store" {
		e.t.Fatalf("device authorization: %d %v\n%s", r.status, r.header, r.body)
	}
	return r.json(e.t)
}

// poll asks the token endpoint for the device code's tokens.
func (e *modernEnv) poll(c testClient, deviceCode string, header http.Header) resp {
	e.t.Helper()
	return e.postForm(oidc.PathToken, &c, url.Values{"grant_type": {model.GrantDeviceCode},
		"device_code": {deviceCode}, "client_id": {c.ID}}, header)
}

// wantPollError polls and expects the error code.
func (e *modernEnv) wantPollError(c testClient, deviceCode, code string) resp {
	e.t.Helper()
	r := e.poll(c, deviceCode, nil)
	if r.status != http.StatusBadRequest || r.json(e.t)["error"] != code {
		e.t.Fatalf("poll: %d %s, want 400 %s", r.status, r.body, code)
	}
	return r
}

// formToken is the CSRF token of the form in page.
func formToken(t testing.TB, page resp) string {
	t.Helper()
	m := authzCSRF.FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("no form token (%d):\n%s", page.status, page.body)
	}
	return html.UnescapeString(m[1])
}

// postPage posts a browser form to path on the same origin.
func (e *modernEnv) postPage(c *http.Client, path string, form url.Values) resp {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.URL)
	return e.do(c, req)
}

// enterCode types userCode at /device in browser c and returns the answer.
func (e *modernEnv) enterCode(c *http.Client, userCode string) resp {
	e.t.Helper()
	page := e.get(c, oidc.PathDevice)
	return e.postPage(c, oidc.PathDevice, url.Values{"csrf_token": {formToken(e.t, page)}, "user_code": {userCode}})
}

// confirmPage enters userCode, signs in when asked, and returns the
// confirmation page's path and body.
func (e *modernEnv) confirmPage(c *http.Client, userCode string) (string, resp) {
	e.t.Helper()
	r := e.enterCode(c, userCode)
	loc := r.header.Get("Location")
	if r.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/device/confirm?ref=") {
		e.t.Fatalf("code entry: %d %q\n%s", r.status, loc, r.body)
	}
	page := e.get(c, loc)
	if page.status == http.StatusSeeOther && strings.HasPrefix(page.header.Get("Location"), "/login?") {
		if back := e.signIn(c, page.header.Get("Location")); back != loc {
			e.t.Fatalf("sign-in sent the browser to %q, want %q", back, loc)
		}
		page = e.get(c, loc)
	}
	return loc, page
}

// answer approves or denies on the confirmation page.
func (e *modernEnv) answer(c *http.Client, loc string, page resp, decision string) resp {
	e.t.Helper()
	u, _ := url.Parse(loc)
	return e.postPage(c, "/device/confirm", url.Values{"csrf_token": {formToken(e.t, page)},
		"ref": {u.Query().Get("ref")}, "decision": {decision}})
}

// TestDeviceFlow: the whole grant with a public client. The device gets
// its codes, polls (pending, then slow_down when too fast), the member
// types the code in any case at /device, signs in, sees the application
// and the code and approves; the next poll yields the tokens, once.
func TestDeviceFlow(t *testing.T) {
	e := newModernEnv(t)
	c := e.deviceClient()
	got := e.deviceStart(c, "openid email offline_access")
	userCode, _ := got["user_code"].(string)
	deviceCode, _ := got["device_code"].(string)
	if !userCodeShape.MatchString(userCode) || len(deviceCode) < 40 {
		t.Fatalf("codes %q, %q", userCode, deviceCode)
	}
	want := map[string]any{"verification_uri": e.URL + "/device",
		"verification_uri_complete": e.URL + "/device?user_code=" + userCode, "expires_in": 600.0, "interval": 5.0}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}

	e.wantPollError(c, deviceCode, "authorization_pending")
	slow := e.wantPollError(c, deviceCode, "slow_down")
	if d := slow.json(t)["error_description"]; !strings.Contains(d.(string), "10 seconds") {
		t.Errorf("slow_down says %q, want the new interval of 10 seconds", d)
	}
	e.Clock.Advance(6 * time.Second) // the old interval is no longer enough
	e.wantPollError(c, deviceCode, "slow_down")
	e.Clock.Advance(16 * time.Second)
	e.wantPollError(c, deviceCode, "authorization_pending")

	browser := e.browser()
	prefilled := e.get(browser, "/device?user_code="+strings.ToLower(userCode))
	if !strings.Contains(prefilled.body, `value="`+userCode+`"`) {
		t.Fatalf("verification_uri_complete does not fill the form in:\n%s", prefilled.body)
	}
	loc, page := e.confirmPage(browser, strings.ToLower(strings.ReplaceAll(userCode, "-", " ")))
	for _, s := range []string{"Lobby screen", userCode, e.email, "<h1>"} {
		if !strings.Contains(page.body, s) {
			t.Errorf("confirmation page lacks %q:\n%s", s, page.body)
		}
	}
	done := e.answer(browser, loc, page, "approve")
	if done.status != http.StatusOK || !strings.Contains(done.body, "Device connected") {
		t.Fatalf("approve: %d\n%s", done.status, done.body)
	}

	e.Clock.Advance(16 * time.Second)
	r := e.poll(c, deviceCode, nil)
	tok := r.json(t)
	if r.status != http.StatusOK || tok["token_type"] != "Bearer" || tok["id_token"] == nil || tok["refresh_token"] == nil ||
		tok["scope"] != "openid email offline_access" || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("tokens: %d %v\n%s", r.status, r.header, r.body)
	}
	if ui := e.userinfo("Bearer", tok["access_token"].(string), ""); ui.status != http.StatusOK || ui.json(t)["email"] != e.email {
		t.Fatalf("userinfo: %d %s", ui.status, ui.body)
	}
	e.Clock.Advance(16 * time.Second)
	e.wantPollError(c, deviceCode, "invalid_grant") // a device code yields its tokens once
	if again := e.answer(browser, loc, page, "approve"); again.status != http.StatusBadRequest {
		t.Fatalf("a second answer: %d", again.status)
	}
}

// TestDeviceFlowRefusals: denied, expired, another client's device code,
// a client not allowed the grant, a member outside the permitted groups.
func TestDeviceFlowRefusals(t *testing.T) {
	e := newModernEnv(t)
	c := e.deviceClient()

	t.Run("denied", func(t *testing.T) {
		got := e.deviceStart(c, "openid")
		browser := e.browser()
		loc, page := e.confirmPage(browser, got["user_code"].(string))
		if r := e.answer(browser, loc, page, "deny"); r.status != http.StatusOK || !strings.Contains(r.body, "Request denied") {
			t.Fatalf("deny: %d\n%s", r.status, r.body)
		}
		e.wantPollError(c, got["device_code"].(string), "access_denied")
	})

	t.Run("another client's device code", func(t *testing.T) {
		got := e.deviceStart(c, "openid")
		other := e.deviceClient()
		e.wantPollError(other, got["device_code"].(string), "invalid_grant")
		e.wantPollError(c, got["device_code"].(string), "authorization_pending")
		e.wantPollError(c, "no-such-code", "invalid_grant")
	})

	t.Run("expired", func(t *testing.T) {
		got := e.deviceStart(c, "openid")
		e.Clock.Advance(oidc.DeviceTTL)
		e.wantPollError(c, got["device_code"].(string), "expired_token")
		r := e.enterCode(e.browser(), got["user_code"].(string))
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "not valid or has expired") {
			t.Fatalf("expired code entered: %d\n%s", r.status, r.body)
		}
	})

	t.Run("client not allowed the grant", func(t *testing.T) {
		plain := e.addModernClient(nil)
		r := e.postForm(oidc.PathDeviceAuthorization, &plain, url.Values{"scope": {"openid"}}, nil)
		if r.status != http.StatusBadRequest || r.json(t)["error"] != "unauthorized_client" {
			t.Fatalf("%d %s", r.status, r.body)
		}
		r = e.postForm(oidc.PathToken, &plain, url.Values{"grant_type": {model.GrantDeviceCode}, "device_code": {"x"}}, nil)
		if r.status != http.StatusBadRequest || r.json(t)["error"] != "unauthorized_client" {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})

	t.Run("unknown scope", func(t *testing.T) {
		r := e.postForm(oidc.PathDeviceAuthorization, &c, url.Values{"client_id": {c.ID}, "scope": {"openid payments"}}, nil)
		if r.status != http.StatusBadRequest || r.json(t)["error"] != "invalid_scope" {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})

	t.Run("member outside the permitted groups", func(t *testing.T) {
		mustGroup(t, e.harness, "Staff")
		closed := e.addModernClient(func(in *clients.Input) {
			in.Public, in.GrantTypes, in.PermittedGroups = true, []string{model.GrantDeviceCode}, []string{"Staff"}
		})
		got := e.deviceStart(closed, "openid")
		browser := e.browser()
		loc, page := e.confirmPage(browser, got["user_code"].(string))
		if page.status != http.StatusForbidden || !strings.Contains(page.body, "Payments app") {
			t.Fatalf("confirmation for an outsider: %d\n%s", page.status, page.body)
		}
		// A GET only shows the refusal: the request stays pending.
		if again := e.get(browser, loc); again.status != http.StatusForbidden {
			t.Fatalf("second look: %d\n%s", again.status, again.body)
		}
		e.wantPollError(closed, got["device_code"].(string), "authorization_pending")
		e.Clock.Advance(16 * time.Second) // past the polling interval
		// A POST is a decision: an outsider's approval is recorded as a denial.
		r := e.answer(browser, loc, e.get(browser, oidc.PathDevice), "approve")
		if r.status != http.StatusForbidden || !strings.Contains(r.body, "Payments app") {
			t.Fatalf("outsider's approval: %d\n%s", r.status, r.body)
		}
		e.wantPollError(closed, got["device_code"].(string), "access_denied")
	})
}

// TestDeviceFlowSecondFactor: a client that requires a second factor
// sends a member without one to set it up before the confirmation, as
// /oauth/authorize does.
func TestDeviceFlowSecondFactor(t *testing.T) {
	e := newModernEnv(t)
	c := e.deviceClient()
	if err := e.Store.MFAPolicies().SetClient(context.Background(), e.Tenant.ID, c.ID, true); err != nil {
		t.Fatal(err)
	}
	got := e.deviceStart(c, "openid")
	browser := e.signedIn()
	r := e.enterCode(browser, got["user_code"].(string))
	page := e.get(browser, r.header.Get("Location"))
	if loc := page.header.Get("Location"); page.status != http.StatusSeeOther || !strings.HasPrefix(loc, mfa.EnrolPath+"?return_to=%2Fdevice%2Fconfirm") {
		t.Fatalf("confirmation without a second factor: %d %q", page.status, loc)
	}
	e.wantPollError(c, got["device_code"].(string), "authorization_pending")
}

// TestDeviceCodeEntryThrottled: guessing user codes from one address is
// refused after the burst, with Retry-After, even for the right code.
func TestDeviceCodeEntryThrottled(t *testing.T) {
	e := newModernEnv(t)
	c := e.deviceClient()
	got := e.deviceStart(c, "openid")
	browser := e.browser()
	for i := range 10 {
		guess := "BCDF-" + string("BCDFGHJKLMNPQRSTVWXZ"[i]) + "GHJ"
		if guess == got["user_code"] {
			continue
		}
		if r := e.enterCode(browser, guess); r.status != http.StatusUnprocessableEntity {
			t.Fatalf("guess %d: %d\n%s", i+1, r.status, r.body)
		}
	}
	r := e.enterCode(browser, got["user_code"].(string))
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" || !strings.Contains(r.body, "Too many codes tried") {
		t.Fatalf("over the limit: %d %v\n%s", r.status, r.header, r.body)
	}
	if r := e.enterCode(browser, "BCDF-GHJ"); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("a malformed code is refused before the throttle: %d", r.status)
	}
}

// TestDeviceCodeEntryTenantCeiling: wrong codes from every address share
// one ceiling per tenant. Once other addresses have spent it, even the
// right code is refused (else a guesser would learn its hit from a non-429
// answer) until it refills; a right code that gets through costs nothing,
// so only wrong ones count.
func TestDeviceCodeEntryTenantCeiling(t *testing.T) {
	e := newModernEnv(t)
	c := e.deviceClient()
	got := e.deviceStart(c, "openid")
	userCode := got["user_code"].(string)
	wrong := "BCDF-GHJK"
	if userCode == wrong {
		wrong = "BCDF-GHJL"
	}
	// Wrong codes typed from other addresses: the ceiling is keyed by the
	// tenant alone, whatever address spent it.
	others := &throttle.Limiter{Store: e.Store.Throttles(), Now: e.Clock.Now}
	for i := range throttle.DefaultDeviceGuess.Burst {
		if wait, err := others.AllowDeviceGuess(context.Background(), e.Tenant.ID); err != nil || wait != 0 {
			t.Fatalf("guess %d from elsewhere: %v %v", i+1, wait, err)
		}
	}
	browser := e.browser()
	for _, code := range []string{wrong, userCode} {
		r := e.enterCode(browser, code)
		if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" || !strings.Contains(r.body, "Too many codes tried") {
			t.Fatalf("%s with the ceiling spent: %d %v\n%s", code, r.status, r.header, r.body)
		}
	}
	e.Clock.Advance(throttle.DefaultDeviceGuess.Every)
	if r := e.enterCode(browser, userCode); r.status != http.StatusSeeOther {
		t.Fatalf("right code after a refill: %d\n%s", r.status, r.body)
	}
	// The right code's token came back: one wrong guess is still allowed.
	if r := e.enterCode(browser, wrong); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("wrong code after the refund: %d\n%s", r.status, r.body)
	}
	if r := e.enterCode(browser, wrong); r.status != http.StatusTooManyRequests {
		t.Fatalf("wrong code with the ceiling spent again: %d\n%s", r.status, r.body)
	}
}

// TestDeviceFlowDPoP: a device's poll with a DPoP proof (after the nonce
// dance) gets tokens bound to its key.
func TestDeviceFlowDPoP(t *testing.T) {
	e := newModernEnv(t)
	c := e.deviceClient()
	got := e.deviceStart(c, "openid offline_access")
	browser := e.browser()
	loc, page := e.confirmPage(browser, got["user_code"].(string))
	e.answer(browser, loc, page, "approve")
	k := newDPoPKey(t)
	form := url.Values{"grant_type": {model.GrantDeviceCode}, "device_code": {got["device_code"].(string)}, "client_id": {c.ID}}
	nonce := e.nonce(k, nil, form)
	r := e.postForm(oidc.PathToken, nil, form, http.Header{"Dpop": {e.proof(k, "POST", oidc.PathToken, proofSpec{nonce: nonce})}})
	tok := r.json(t)
	if r.status != http.StatusOK || tok["token_type"] != "DPoP" || cnfOf(t, tok["access_token"].(string)) != k.jkt {
		t.Fatalf("%d %s", r.status, r.body)
	}
}
