package samlidp_test

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	cs "github.com/crewjam/saml"

	"github.com/guildgate/guildgate/internal/saml"
	"github.com/guildgate/guildgate/internal/testenv"
	"github.com/guildgate/guildgate/internal/throttle"
)

// TestSAMLFlows runs every acceptance flow against crewjam's service
// provider on the real server, on SQLite and PostgreSQL.
func TestSAMLFlows(t *testing.T) {
	for _, backend := range []testenv.Backend{testenv.SQLite, testenv.Postgres} {
		t.Run(string(backend), func(t *testing.T) {
			st := newSite(t, backend)
			t.Run("redirect binding, sign-in on the way", func(t *testing.T) { testRedirectBinding(t, st) })
			t.Run("post binding, sign-in on the way", func(t *testing.T) { testPostBinding(t, st) })
			t.Run("persistent NameID is stable", func(t *testing.T) { testPersistentStable(t, st) })
			t.Run("IdP-initiated launch", func(t *testing.T) { testLaunch(t, st) })
			t.Run("permitted groups deny", func(t *testing.T) { testDenied(t, st) })
			t.Run("single logout", func(t *testing.T) { testLogout(t, st) })
			t.Run("single logout by POST without the cookie", func(t *testing.T) { testLogoutPost(t, st) })
			t.Run("refusals store nothing and never post", func(t *testing.T) { testRefusals(t, st) })
			t.Run("replayed request", func(t *testing.T) { testReplay(t, st) })
			t.Run("disabled member", func(t *testing.T) { testDisabled(t, st) })
			// Last: it empties the address's bucket for the rest of the site.
			t.Run("requests over the address's rate", func(t *testing.T) { testRequestRate(t, st) })
		})
	}
}

// spRedirect is an SP's signed (LMS) or unsigned (Events) Redirect-binding
// request and its id.
func spRedirect(t *testing.T, sp *cs.ServiceProvider) (string, string) {
	t.Helper()
	req, err := sp.MakeAuthenticationRequest(sp.GetSSOBindingLocation(cs.HTTPRedirectBinding), cs.HTTPRedirectBinding, cs.HTTPPostBinding)
	if err != nil {
		t.Fatal(err)
	}
	u, err := req.Redirect("rs-1", sp)
	if err != nil {
		t.Fatal(err)
	}
	return u.String(), req.ID
}

func testRedirectBinding(t *testing.T, st *site) {
	sp := st.sp(lmsEntity)
	u, id := spRedirect(t, sp)
	b := st.browser("ada@example.org")
	r := b.Get(u)
	a, err := acsParse(t, sp, r, id)
	if err != nil {
		t.Fatalf("SP refused the response: %v", err)
	}
	if b.SignIns != 1 || r.Form.Action != lmsACS || r.Form.Fields.Get("RelayState") != "rs-1" {
		t.Fatalf("sign-ins %d, form %+v", b.SignIns, r.Form)
	}
	if a.Subject.NameID.Value != st.ada || a.Subject.NameID.Format != string(cs.PersistentNameIDFormat) {
		t.Fatalf("NameID %+v", a.Subject.NameID)
	}
	for name, want := range map[string]string{"email": "ada@example.org", "name": "Ada Lovelace", "given_name": "Ada",
		"family_name": "Lovelace", "groups": "Staff", "member_status": "current", "legacy_id": "L-1"} {
		if got := attr(a, name); len(got) != 1 || got[0] != want {
			t.Errorf("attribute %s = %v, want %q", name, got, want)
		}
	}
	// Signed in now: the next request is answered at once.
	u, id = spRedirect(t, sp)
	if _, err := acsParse(t, sp, b.Get(u), id); err != nil || b.SignIns != 1 {
		t.Fatalf("second sign-in: %v (sign-ins %d)", err, b.SignIns)
	}
}

func testPostBinding(t *testing.T, st *site) {
	for _, entity := range []string{lmsEntity, eventsEntity} {
		sp := st.sp(entity)
		req, err := sp.MakeAuthenticationRequest(sp.GetSSOBindingLocation(cs.HTTPPostBinding), cs.HTTPPostBinding, cs.HTTPPostBinding)
		if err != nil {
			t.Fatal(err)
		}
		fields := formFields(t, req.Post("rs-2"))
		b := st.browser("ada@example.org")
		r := b.Post(st.s.URL+saml.PathSSO, fields)
		a, err := acsParse(t, sp, r, req.ID)
		if err != nil {
			t.Fatalf("%s: SP refused the response: %v", entity, err)
		}
		if b.SignIns != 1 || r.Form.Fields.Get("RelayState") != "rs-2" {
			t.Fatalf("%s: sign-ins %d, relay state %q", entity, b.SignIns, r.Form.Fields.Get("RelayState"))
		}
		if entity == eventsEntity && (a.Subject.NameID.Value != "ada@example.org" ||
			a.Subject.NameID.Format != string(cs.EmailAddressNameIDFormat)) {
			t.Fatalf("email NameID %+v", a.Subject.NameID)
		}
	}
}

func testPersistentStable(t *testing.T, st *site) {
	sp := st.sp(lmsEntity)
	var seen []string
	for range 2 {
		u, id := spRedirect(t, sp)
		a, err := acsParse(t, sp, st.browser("ada@example.org").Get(u), id)
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, a.Subject.NameID.Value)
	}
	if seen[0] != seen[1] || seen[0] != st.ada {
		t.Fatalf("persistent NameIDs %v", seen)
	}
}

func testLaunch(t *testing.T, st *site) {
	sp := st.sp(lmsEntity)
	b := st.browser("ada@example.org")
	r := b.Get(st.s.URL + saml.PathLaunch + st.lmsID)
	a, err := acsParse(t, sp, r)
	if err != nil {
		t.Fatalf("SP refused the unsolicited response: %v", err)
	}
	if r.Form.Fields.Get("RelayState") != "/courses" || b.SignIns != 1 || a.Subject.NameID.Value != st.ada {
		t.Fatalf("launch: relay %q, sign-ins %d", r.Form.Fields.Get("RelayState"), b.SignIns)
	}
	if r := st.browser("ada@example.org").Get(st.s.URL + saml.PathLaunch + "no-such-app"); r.Status != http.StatusNotFound || r.Form != nil {
		t.Fatalf("unknown app launch: %d", r.Status)
	}
}

func testDenied(t *testing.T, st *site) {
	sp := st.sp(lmsEntity)
	u, id := spRedirect(t, sp)
	_, err := acsParse(t, sp, st.browser("bob@example.org").Get(u), id)
	if se, ok := errors.AsType[cs.ErrBadStatus](err); !ok || !strings.Contains(se.Status, cs.StatusResponder) {
		t.Fatalf("an outsider's sign-in: %v; want a Responder status", err)
	}
	if n := st.countWhere("audit_events", "action = 'saml.denied'"); n != 1 {
		t.Fatalf("%d saml.denied audit events", n)
	}
}

func (st *site) countWhere(table, where string) int {
	st.t.Helper()
	var n int
	if err := st.db.DB().QueryRow(`SELECT count(*) FROM ` + table + ` WHERE ` + where).Scan(&n); err != nil {
		st.t.Fatal(err)
	}
	return n
}

// signedIn signs ada in to LMS and returns the browser and the assertion.
func signedIn(t *testing.T, st *site, sp *cs.ServiceProvider) (*browserT, *cs.Assertion) {
	t.Helper()
	u, id := spRedirect(t, sp)
	b := st.browser("ada@example.org")
	a, err := acsParse(t, sp, b.Get(u), id)
	if err != nil {
		t.Fatal(err)
	}
	return b, a
}

func testLogout(t *testing.T, st *site) {
	sp := st.sp(lmsEntity)
	b, a := signedIn(t, st, sp)
	lr, err := sp.MakeLogoutRequest(sp.GetSLOBindingLocation(cs.HTTPRedirectBinding), a.Subject.NameID.Value,
		cs.WithSessionIndex(a.AuthnStatements[0].SessionIndex))
	if err != nil {
		t.Fatal(err)
	}
	u, err := sp.RedirectLogoutRequestURL(lr, "bye")
	if err != nil {
		t.Fatal(err)
	}
	r := b.Get(u.String())
	if !strings.HasPrefix(r.Location, lmsSLO+"?") {
		t.Fatalf("logout stopped at %d %q:\n%s", r.Status, r.Location, r.Body)
	}
	back, _ := http.NewRequest(http.MethodGet, r.Location, nil)
	if _, err := sp.ParseLogoutResponse(back, []string{lr.ID}); err != nil {
		t.Fatalf("SP refused the LogoutResponse: %v", err)
	}
	// The session is gone: the next sign-in asks for the password again.
	u2, id := spRedirect(t, sp)
	if _, err := acsParse(t, sp, b.Get(u2), id); err != nil || b.SignIns != 2 {
		t.Fatalf("after logout: %v, sign-ins %d", err, b.SignIns)
	}
}

// testLogoutPost: a POST-binding LogoutRequest arrives without the session
// cookie (SameSite=Lax), and still ends the session its SessionIndex names.
func testLogoutPost(t *testing.T, st *site) {
	sp := st.sp(lmsEntity)
	b, a := signedIn(t, st, sp)
	form, err := sp.MakePostLogoutRequest(a.Subject.NameID.Value, "bye", cs.WithSessionIndex(a.AuthnStatements[0].SessionIndex))
	if err != nil {
		t.Fatal(err)
	}
	r := st.browser("nobody@example.org").Post(st.s.URL+saml.PathSLO, formFields(t, form))
	if r.Form == nil || r.Form.Action != lmsSLO {
		t.Fatalf("logout answered %d:\n%s", r.Status, r.Body)
	}
	u2, id := spRedirect(t, sp)
	if _, err := acsParse(t, sp, b.Get(u2), id); err != nil || b.SignIns != 2 {
		t.Fatalf("the session outlived its logout: %v, sign-ins %d", err, b.SignIns)
	}
}

// testRefusals: each bad request gets the 400 page, never a form to the
// app, and leaves no record, pending request, session or audit event.
func testRefusals(t *testing.T, st *site) {
	lms, events := st.sp(lmsEntity), st.sp(eventsEntity)
	cases := map[string]func() *http.Request{
		"unknown entity id": func() *http.Request {
			sp := st.sp(eventsEntity)
			sp.EntityID = "urn:stranger"
			u, _ := spRedirect(t, sp)
			return get(u)
		},
		"unregistered ACS URL": func() *http.Request {
			sp := st.sp(eventsEntity)
			sp.AcsURL.Path = "/attacker"
			u, _ := spRedirect(t, sp)
			return get(u)
		},
		"unsigned where a signature is required": func() *http.Request {
			sp := st.sp(lmsEntity)
			sp.SignatureMethod = ""
			u, _ := spRedirect(t, sp)
			return get(u)
		},
		"tampered signed request": func() *http.Request {
			u, _ := spRedirect(t, lms)
			return get(strings.Replace(u, "RelayState=rs-1", "RelayState=rs-2", 1))
		},
		"DOCTYPE with entities": func() *http.Request {
			req, _ := events.MakeAuthenticationRequest(st.s.URL+saml.PathSSO, cs.HTTPPostBinding, cs.HTTPPostBinding)
			xml := formFields(t, req.Post(""))
			doc, _ := base64.StdEncoding.DecodeString(xml.Get("SAMLRequest"))
			doc = append([]byte(`<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>`), doc...)
			return postForm(st.s.URL+saml.PathSSO, url.Values{"SAMLRequest": {base64.StdEncoding.EncodeToString(doc)}})
		},
		"oversized Redirect request": func() *http.Request {
			u, _ := spRedirect(t, events)
			return get(u + "&RelayState2=" + strings.Repeat("x", saml.MaxQuery))
		},
		"deflate bomb": func() *http.Request {
			var buf bytes.Buffer
			w, _ := flate.NewWriter(&buf, flate.BestCompression)
			w.Write([]byte(`<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">`))
			w.Write(bytes.Repeat([]byte("a"), 4<<20))
			w.Close()
			q := url.Values{"SAMLRequest": {base64.StdEncoding.EncodeToString(buf.Bytes())}}
			return get(st.s.URL + saml.PathSSO + "?" + q.Encode())
		},
	}
	says := map[string]string{"unknown entity id": "unknown application", "unregistered ACS URL": "not registered",
		"unsigned where a signature is required": "signature", "tampered signed request": "signature",
		"DOCTYPE with entities": "document type", "oversized Redirect request": "too large", "deflate bomb": "too large"}
	before := st.stored()
	for name, mk := range cases {
		r := st.browser("ada@example.org").Do(mk())
		if r.Status != http.StatusBadRequest || r.Form != nil || r.Location != "" || !strings.Contains(r.Body, says[name]) {
			t.Errorf("%s: %d, form %v, location %q:\n%.600s", name, r.Status, r.Form, r.Location, r.Body)
		}
	}
	if after := st.stored(); !equalCounts(before, after) {
		t.Fatalf("refused requests stored something: %v → %v", before, after)
	}
}

// testReplay: the same signed request twice; the second is refused.
func testReplay(t *testing.T, st *site) {
	sp := st.sp(lmsEntity)
	u, id := spRedirect(t, sp)
	b := st.browser("ada@example.org")
	if _, err := acsParse(t, sp, b.Get(u), id); err != nil {
		t.Fatal(err)
	}
	if r := b.Get(u); r.Status != http.StatusBadRequest || r.Form != nil || !strings.Contains(r.Body, "already used") {
		t.Fatalf("replay answered %d:\n%.300s", r.Status, r.Body)
	}
}

func equalCounts(a, b map[string]int) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return len(a) == len(b)
}

func get(u string) *http.Request {
	r, _ := http.NewRequest(http.MethodGet, u, nil)
	return r
}

func postForm(u string, f url.Values) *http.Request {
	r, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(f.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

// testDisabled: disabling a member ends their session; the app's next
// request sends them to sign in, which refuses them, and no Response is
// ever posted.
func testDisabled(t *testing.T, st *site) {
	sp := st.sp(eventsEntity)
	b := st.browser("cy@example.org")
	u, id := spRedirect(t, sp)
	if _, err := acsParse(t, sp, b.Get(u), id); err != nil {
		t.Fatal(err)
	}
	st.s.MustCLI(t, "", "member", "disable", "cy@example.org")
	u, _ = spRedirect(t, sp)
	if r := b.Get(u); r.Form != nil || r.Location != "" || b.SignIns != 2 {
		t.Fatalf("a disabled member got %d, form %v, location %q after %d sign-ins", r.Status, r.Form, r.Location, b.SignIns)
	}
}

// testRequestRate floods /saml/sso with unsigned requests from one address
// (anyone can make them for an app that does not sign its requests): past
// the burst each is 429 with Retry-After, and a refused one stores nothing.
func testRequestRate(t *testing.T, st *site) {
	c := st.s.Client(t)
	for i := 0; i < 2*throttle.DefaultSSOStart.Burst; i++ {
		u, _ := spRedirect(t, st.sp(eventsEntity))
		before := st.stored()
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusTooManyRequests {
			continue
		}
		if resp.Header.Get("Retry-After") == "" {
			t.Error("a refused request has no Retry-After")
		}
		if after := st.stored(); !equalCounts(before, after) {
			t.Fatalf("a refused request stored something: %v → %v", before, after)
		}
		return
	}
	t.Fatalf("%d requests from one address were all answered", 2*throttle.DefaultSSOStart.Burst)
}
