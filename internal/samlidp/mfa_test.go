package samlidp_test

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/guildgate/guildgate/internal/saml"
	"github.com/guildgate/guildgate/internal/testenv"
)

var (
	setupSecret  = regexp.MustCompile(`<p class="secret"[^>]*><code>([A-Z2-7 ]+)</code>`)
	setupPending = regexp.MustCompile(`name="pending" value="([^"]+)"`)
	setupCSRF    = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
	setupReturn  = regexp.MustCompile(`name="return_to" value="([^"]*)"`)
)

// TestSecondFactorPolicy: under --mfa required, a member signing in to a
// SAML app with a password and no second factor is sent to set one up
// (signInPolicy), and only then does the app receive a Response.
func TestSecondFactorPolicy(t *testing.T) {
	st := newSite(t, testenv.SQLite)
	st.s.MustCLI(t, "", "tenant", "update", "default", "--mfa", "required")
	sp := st.sp(lmsEntity)
	b := st.browser("ada@example.org")
	r := b.Get(st.s.URL + saml.PathLaunch + st.lmsID)
	if r.Status != http.StatusOK || r.Form != nil || !strings.Contains(r.Body, "Set up an authenticator app") {
		t.Fatalf("want the set-up page before any Response: %d %v\n%s", r.Status, r.Form, r.Body)
	}
	sm, pm, cm, rm := setupSecret.FindStringSubmatch(r.Body), setupPending.FindStringSubmatch(r.Body),
		setupCSRF.FindStringSubmatch(r.Body), setupReturn.FindStringSubmatch(r.Body)
	back := html.UnescapeString(rm[1])
	if back != saml.PathLaunch+st.lmsID {
		t.Fatalf("set-up returns to %q", back)
	}
	code, _ := totp.GenerateCode(strings.ReplaceAll(sm[1], " ", ""), time.Now())
	resp, err := b.Client.PostForm(st.s.URL+"/account/security/totp", url.Values{"csrf_token": {html.UnescapeString(cm[1])},
		"pending": {html.UnescapeString(pm[1])}, "code": {code}, "return_to": {back}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Your recovery codes") {
		t.Fatalf("set-up: %d\n%s", resp.StatusCode, body)
	}
	r = b.Get(st.s.URL + back)
	if _, err := acsParse(t, sp, r); err != nil {
		t.Fatalf("after set-up the app gets no valid Response: %v", err)
	}
}
