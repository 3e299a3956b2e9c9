package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/guildgate/guildgate/internal/testenv"
)

// TestDeletedGroupNeverOpensAClient is the audit's finding through the real
// server and real Chromium: a client restricted to one group; the group is
// deleted in the console; the administrator then edits the client for an
// unrelated reason (its name) and saves the form as the browser submits it.
// The client must still admit nobody: an outsider (and a former member)
// gets access_denied from OpenID Connect and a 403 page from legacy SSO,
// and the console says plainly, on the list and the form, that nobody can
// sign in.
func TestDeletedGroupNeverOpensAClient(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	addMember(t, s, "admin@example.org", "--admin")
	addMember(t, s, "in@example.org")
	addMember(t, s, "out@example.org")
	s.MustCLI(t, "", "group", "add", "members")
	s.MustCLI(t, "", "group", "add-member", "members", "in@example.org")
	var c struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
	}
	apiCall(t, s, "POST", "/api/v1/clients", map[string]any{"name": "Portal", "redirect_uris": []string{redirects[1]},
		"permitted_groups": []string{"members"}}, http.StatusCreated, &c)
	var groups []struct{ ID, Name string }
	if err := json.Unmarshal([]byte(s.MustCLI(t, "", "group", "list", "--json")), &groups); err != nil || len(groups) != 1 {
		t.Fatalf("groups %+v, %v", groups, err)
	}

	b := openTab(t, s.URL)
	b.do("open the console", chromedp.Navigate(s.URL+"/admin/"), chromedp.WaitVisible(chromedp.CSS("#email")))
	b.fill("#email", "admin@example.org")
	b.click(`form:has(#email) button[type="submit"]`, "#password")
	b.fill("#password", password)
	b.click(`form:has(#password) button[type="submit"]`, ".tiles")
	b.do("confirm the group's deletion", chromedp.Navigate(s.URL+"/admin/groups/"+groups[0].ID+"/delete"),
		chromedp.WaitVisible(chromedp.CSS("#confirm")))
	if w := b.text(".warnings"); !strings.Contains(w, "it will admit nobody") {
		t.Errorf("the confirmation does not say the client will admit nobody: %q", w)
	}
	b.click("#confirm", ".flash")

	b.do("edit the client", chromedp.Navigate(s.URL+"/admin/clients/"+c.ID), chromedp.WaitVisible(chromedp.CSS("#name")))
	b.do("rename the client", chromedp.SetValue(chromedp.CSS("#name"), "Portal (renamed)"))
	b.screenshot("client-form-after-group-deleted.png")
	b.click("#save", ".client")
	b.screenshot("client-list-after-group-deleted.png")

	if got := b.text(".client h2"); got != "Portal (renamed)" {
		t.Fatalf("the edit was not saved: %q", got)
	}
	ctx := oidc.ClientContext(t.Context(), s.Client(t))
	provider, err := oidc.NewProvider(ctx, s.URL)
	if err != nil {
		t.Fatal(err)
	}
	conf := oauth2.Config{ClientID: c.ID, ClientSecret: c.Secret, Endpoint: provider.Endpoint(),
		RedirectURL: redirects[1], Scopes: []string{oidc.ScopeOpenID}}
	for _, who := range []string{"out@example.org", "in@example.org"} {
		m := newBrowser(t, s)
		m.signIn(who)
		q := authorize(t, m, conf.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
		if q.Get("error") != "access_denied" || q.Get("code") != "" {
			t.Errorf("%s after the re-save: callback %v, want access_denied", who, q)
		}
		legacy := m.get("/sso/auth?" + url.Values{"client_id": {c.ID}, "redirect_uri": {redirects[1]}}.Encode())
		if legacy.status != http.StatusForbidden || !strings.Contains(legacy.body, "Portal (renamed)") {
			t.Errorf("%s at legacy SSO: %d → %q", who, legacy.status, legacy.location)
		}
	}

	if got := b.text(".client .admits-nobody"); !strings.Contains(got, "nobody") {
		t.Errorf("the client list does not say nobody can sign in: %q", got)
	}
	b.do("edit the client again", chromedp.Navigate(s.URL+"/admin/clients/"+c.ID), chromedp.WaitVisible(chromedp.CSS("#name")))
	if got := b.text("#admits-nobody"); !strings.Contains(got, "Nobody can sign in") {
		t.Errorf("the form does not say nobody can sign in: %q", got)
	}
	var v struct {
		AllMembers   bool `json:"all_members"`
		AdmitsNobody bool `json:"admits_nobody"`
	}
	if err := json.Unmarshal([]byte(s.MustCLI(t, "", "client", "show", c.ID, "--json")), &v); err != nil || v.AllMembers || !v.AdmitsNobody {
		t.Errorf("client show: %+v, %v", v, err)
	}
}
