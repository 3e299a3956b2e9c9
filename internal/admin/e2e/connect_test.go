package e2e

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/partners"
	"github.com/guildgate/guildgate/internal/testenv"
)

// TestConsoleOmitIssSetting: the add form's "Leave iss out of authorization
// responses" checkbox, under Advanced settings with its sentence on when
// to use it, stores the setting; the edit form shows it and unticking it
// turns it off.
func TestConsoleOmitIssSetting(t *testing.T) {
	s, b := adminBrowser(t)
	form := b.get("/admin/clients/new")
	if !strings.Contains(form.body, `name="omit_authorization_response_iss"`) || !strings.Contains(form.body, "mod_auth_openidc") {
		t.Fatalf("the add form has no iss setting:\n%s", form.body)
	}
	wantSeeOther(t, b.postPage("/admin/clients/new", "/admin/clients", url.Values{"name": {"Wiki"},
		"redirect_uris": {"https://wiki.example.org/oidc/callback"}, "id_token_alg": {"RS256"},
		"grant_types": {"authorization_code", "refresh_token"}, "access": {"all"}, "omit_authorization_response_iss": {"on"}}), "/admin/clients?done=client-created")
	id := clientIDCell.FindStringSubmatch(b.get("/admin/clients").body)[1]
	if !omitIss(t, s, id) {
		t.Fatal("the ticked checkbox did not turn the setting on")
	}
	edit := b.get("/admin/clients/" + id)
	if !regexp.MustCompile(`name="omit_authorization_response_iss"[^>]* checked`).MatchString(edit.body) {
		t.Fatalf("the edit form does not show the setting on:\n%s", edit.body)
	}
	wantSeeOther(t, b.postPage("/admin/clients/"+id, "/admin/clients/"+id, url.Values{"name": {"Wiki"},
		"redirect_uris": {"https://wiki.example.org/oidc/callback"}, "id_token_alg": {"RS256"},
		"grant_types": {"authorization_code", "refresh_token"}, "access": {"all"}}), "/admin/clients?done=client-updated")
	if omitIss(t, s, id) {
		t.Fatal("unticking the checkbox left the setting on")
	}
}

func omitIss(t *testing.T, s *testenv.Server, id string) bool {
	t.Helper()
	var c struct {
		OmitIss bool `json:"omit_authorization_response_iss"`
	}
	if err := json.Unmarshal([]byte(s.MustCLI(t, "", "client", "show", id, "--json")), &c); err != nil {
		t.Fatal(err)
	}
	return c.OmitIss
}

var configBlock = regexp.MustCompile(`(?s)<pre class="config" id="config-([^"]+)">(.*?)</pre>`)

// TestConsoleHowToConnect: beside each client, "How to connect" shows the
// issuer, discovery URL and client id with copy buttons, says where the
// secret is without showing it, and gives each tested relying party's
// configuration exactly as internal/partners renders it for this client,
// warning about what is still to do (the iss switch, unregistered URLs)
// until it is done, and about a switch a relying party cannot work with.
func TestConsoleHowToConnect(t *testing.T) {
	s, b := adminBrowser(t)
	var c struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
	}
	out := s.MustCLI(t, "", "client", "add", "--name", "Wiki", "--redirect-uris", "https://wiki.example.org/oidc/callback",
		"--post-logout-redirect-uris", "https://wiki.example.org/signed-out", "--json")
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatal(err)
	}
	if list := b.get("/admin/clients"); !strings.Contains(list.body, `href="/admin/clients/`+c.ID+`/connect"`) {
		t.Fatalf("the client list has no How to connect link:\n%s", list.body)
	}
	p := b.get("/admin/clients/" + c.ID + "/connect")
	if p.status != http.StatusOK || strings.Contains(p.body, c.Secret) {
		t.Fatalf("How to connect: %d, secret shown: %v\n%s", p.status, strings.Contains(p.body, c.Secret), p.body)
	}
	for _, want := range []string{`<code id="issuer">` + s.URL + `</code>`, `data-copy-from="issuer"`,
		`<code id="discovery">` + s.URL + `/.well-known/openid-configuration</code>`, `data-copy-from="discovery"`,
		`<code id="client-id">` + c.ID + `</code>`, `data-copy-from="client-id"`, "guildgate client show " + c.ID,
		`data-copy-from="config-mod_auth_openidc"`, `data-copy-from="config-oauth2-proxy"`,
		"Turn on “Leave iss out of authorization responses”", "Register <code>https://wiki.example.org/oauth2/callback</code>",
		`href="` + partners.ModAuthOpenIDC.GuideURL() + `"`, html.EscapeString(partners.OAuth2Proxy.Denied)} {
		if !strings.Contains(p.body, want) {
			t.Errorf("How to connect lacks %s", want)
		}
	}
	for _, m := range configBlock.FindAllStringSubmatch(p.body, -1) {
		rp, _ := partners.Lookup(m[1])
		want, err := rp.Render(partners.Values{Issuer: s.URL, ClientID: c.ID, ClientSecret: "CLIENT-SECRET-FROM-GUILDGATE",
			RedirectURI: "https://wiki.example.org" + rp.CallbackPath, PostLogoutRedirectURI: "https://wiki.example.org" + rp.SignedOutPath,
			Passphrase: partners.Example(rp).Passphrase, Upstream: partners.Example(rp).Upstream, Listen: partners.Example(rp).Listen})
		if err != nil || html.UnescapeString(m[2]) != want {
			t.Errorf("%s configuration on the page:\n%s\nwant (%v):\n%s", m[1], html.UnescapeString(m[2]), err, want)
		}
	}

	var all []string
	for _, rp := range partners.All() {
		all = append(all, "https://wiki.example.org"+rp.CallbackPath)
	}
	s.MustCLI(t, "", "client", "update", c.ID, "--omit-authorization-response-iss", "--redirect-uris", strings.Join(all, ","))
	p = b.get("/admin/clients/" + c.ID + "/connect")
	warned := regexp.MustCompile(`(?s)<section class="rp" id="rp-([^"]+)">\s*<h2>[^<]*</h2>\s*<ul class="warnings">`).FindAllStringSubmatch(p.body, -1)
	if len(warned) != 1 || warned[0][1] != partners.ExpressOpenIDConnect.Slug ||
		!strings.Contains(p.body, "refuses every sign-in without it") || !strings.Contains(p.body, "Left out (this client's advanced settings)") {
		t.Fatalf("once the switch is on and the URLs are registered, want a warning for express-openid-connect alone, got %v:\n%s", warned, p.body)
	}
	if p := b.get("/admin/clients/00000000-0000-0000-0000-000000000000/connect"); p.status != http.StatusNotFound {
		t.Fatalf("an unknown client's page: %d", p.status)
	}
}
