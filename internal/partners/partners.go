// Package partners holds the configurations with which partners' relying
// parties (Apache httpd with mod_auth_openidc, oauth2-proxy) sign members in
// through Guildgate. Each is one template, rendered three ways: with example
// values in its guide under docs/partners (a test checks that the guide
// prints that rendering verbatim), with a client's own values on the admin
// console's "How to connect" page, and with a test run's values by the tests
// that run the real relying party against the real server. One source, so
// what a guide says is what was tested.
package partners

import (
	"bytes"
	"cmp"
	"embed"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"text/template"
)

//go:embed templates
var files embed.FS

// RP is a relying party partners run, with the settings its guide assumes.
type RP struct {
	Slug string // stable identifier, used in URLs
	Name string
	// Guide is the guide's path in the repository.
	Guide string
	// CallbackPath is the redirect path the relying party answers on; the
	// client registers the app's origin plus this path.
	CallbackPath string
	// SignedOutPath is where the guide sends members after signing out.
	SignedOutPath string
	// OmitIss says the client must have --omit-authorization-response-iss,
	// because the relying party mishandles an error response carrying iss;
	// NeedsIss that it must not, because the relying party requires iss.
	OmitIss, NeedsIss bool
	// Quirk is one sentence on what an administrator must know.
	Quirk string
	// Denied is what a member outside the client's permitted groups reads
	// on the relying party's page.
	Denied  string
	file    string
	signOut func(Values) string
	listen  string // the example listen address, where the relying party listens itself
}

// The relying parties with a tested guide.
var (
	ModAuthOpenIDC = RP{
		Slug: "mod_auth_openidc", Name: "Apache httpd with mod_auth_openidc",
		Guide: "docs/partners/apache-mod_auth_openidc.md", CallbackPath: "/oidc/callback", SignedOutPath: "/signed-out",
		OmitIss: true, file: "mod_auth_openidc.conf", signOut: modAuthOpenIDCSignOut,
		Denied: "OpenID Connect Provider error: access_denied",
		Quirk: "Turn on “Leave iss out of authorization responses” for this client: mod_auth_openidc " +
			"takes an error response carrying iss for a third-party-initiated login, so a member outside " +
			"the permitted groups would see an “Invalid Request” page (or a redirect loop) instead of “access denied”.",
	}
	OAuth2Proxy = RP{
		Slug: "oauth2-proxy", Name: "oauth2-proxy",
		Guide: "docs/partners/oauth2-proxy.md", CallbackPath: "/oauth2/callback", SignedOutPath: "/signed-out",
		file: "oauth2-proxy.cfg", signOut: oauth2ProxySignOut,
		Denied: "Login Failed: The upstream identity provider returned an error: access_denied",
		Quirk: "oauth2-proxy refuses members whose email address is not verified: verify addresses " +
			"(invitation or verification mail, or --email-verified) before they sign in.",
	}
	ExpressOpenIDConnect = RP{
		Slug: "express-openid-connect", Name: "Node.js Express with express-openid-connect",
		Guide: "docs/partners/express-openid-connect.md", CallbackPath: "/callback", SignedOutPath: "/signed-out",
		file: "express-openid-connect.js", signOut: expressSignOut, listen: "0.0.0.0:3000", NeedsIss: true,
		Denied: "Access denied: your membership does not include this app.",
		Quirk: "The app decides what a refused member reads: the guide's error handler answers " +
			"Guildgate's access_denied with a 403 page of its own; without one, Express shows a bare error.",
	}
)

// All lists the relying parties with a tested guide.
func All() []RP { return []RP{ModAuthOpenIDC, OAuth2Proxy, ExpressOpenIDConnect} }

// Repository is where the guides are published; GuideURL links into it.
const Repository = "https://github.com/guildgate/guildgate"

// GuideURL is the guide's address in the published repository.
func (rp RP) GuideURL() string { return Repository + "/blob/main/" + rp.Guide }

// Lookup returns the relying party with slug.
func Lookup(slug string) (RP, bool) {
	for _, rp := range All() {
		if rp.Slug == slug {
			return rp, true
		}
	}
	return RP{}, false
}

// Values fill a template. Every value lands inside a configuration file, so
// Render refuses any that could end a line, a quoted string or a directive
// argument.
type Values struct {
	Issuer                string // the tenant's issuer URL
	ClientID              string
	ClientSecret          string
	RedirectURI           string // registered for the client; ends in RP.CallbackPath
	PostLogoutRedirectURI string // registered for the client; ends in RP.SignedOutPath
	// Passphrase is the relying party's own secret (mod_auth_openidc's
	// crypto passphrase, oauth2-proxy's cookie secret): 32 random characters.
	Passphrase string
	// CAFile is the CA certificate that issued Guildgate's, for a Guildgate
	// whose certificate is not from a public CA; empty otherwise.
	CAFile string
	// Listen is where a relying party that listens itself (oauth2-proxy,
	// the Express app) does so; Upstream is the app behind oauth2-proxy.
	Upstream, Listen string
}

// Example is what the guides show: every value a partner replaces is
// recognisable as a placeholder.
func Example(rp RP) Values {
	return Values{
		Issuer: "https://sso.example.org", ClientID: "CLIENT-ID-FROM-GUILDGATE",
		ClientSecret: "CLIENT-SECRET-FROM-GUILDGATE", RedirectURI: "https://app.example.org" + rp.CallbackPath,
		PostLogoutRedirectURI: "https://app.example.org" + rp.SignedOutPath,
		Passphrase:            "replace-with-openssl-rand-hex-16", CAFile: "/etc/ssl/certs/guildgate-ca.pem",
		Upstream: "http://127.0.0.1:8080/", Listen: cmp.Or(rp.listen, "0.0.0.0:4180"),
	}
}

// Render returns rp's configuration filled with v.
func (rp RP) Render(v Values) (string, error) {
	if err := v.check(); err != nil {
		return "", fmt.Errorf("%s configuration: %w", rp.Name, err)
	}
	t, err := template.New(rp.file).Option("missingkey=error").Funcs(template.FuncMap{
		"origin":     func(s string) string { u := parse(s); return u.Scheme + "://" + u.Host },
		"host":       func(s string) string { return parse(s).Host },
		"path":       func(s string) string { return parse(s).EscapedPath() },
		"quoteMeta":  regexp.QuoteMeta,
		"listenHost": func(s string) string { h, _, _ := net.SplitHostPort(s); return h },
		"listenPort": func(s string) string { _, p, _ := net.SplitHostPort(s); return p },
	}).ParseFS(files, "templates/"+rp.file)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, v); err != nil {
		return "", fmt.Errorf("%s configuration: %w", rp.Name, err)
	}
	return b.String(), nil
}

func parse(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		return &url.URL{}
	}
	return u
}

// check refuses what could break out of a value in Apache's or TOML's
// syntax: whitespace, quotes, backslashes, control characters.
func (v Values) check() error {
	for name, s := range map[string]string{
		"issuer": v.Issuer, "client id": v.ClientID, "client secret": v.ClientSecret,
		"redirect URI": v.RedirectURI, "post-logout redirect URI": v.PostLogoutRedirectURI,
		"passphrase": v.Passphrase, "CA file": v.CAFile, "upstream": v.Upstream, "listen address": v.Listen,
	} {
		if strings.ContainsFunc(s, unsafe) {
			return fmt.Errorf("the %s %q holds a character a configuration file cannot carry", name, s)
		}
	}
	return nil
}

func unsafe(r rune) bool {
	return r <= ' ' || r == 0x7f || r == '"' || r == '\'' || r == '\\' || r == '<' || r == '>' || r == '#'
}

// SignOutURL is where the app's "Sign out" link points: it ends the relying
// party's session, then Guildgate's, and brings the member back to
// v.PostLogoutRedirectURI.
func (rp RP) SignOutURL(v Values) string { return rp.signOut(v) }

// modAuthOpenIDCSignOut: mod_auth_openidc ends its session and sends the
// member to Guildgate's end_session_endpoint with id_token_hint, so
// Guildgate signs them out at once.
func modAuthOpenIDCSignOut(v Values) string {
	return v.RedirectURI + "?logout=" + url.QueryEscape(v.PostLogoutRedirectURI)
}

// expressSignOut: express-openid-connect's /logout ends its session and, with
// idpLogout, sends the member to Guildgate's end_session_endpoint with
// id_token_hint, so Guildgate signs them out at once.
func expressSignOut(v Values) string {
	u := parse(v.RedirectURI)
	return u.Scheme + "://" + u.Host + "/logout"
}

// oauth2ProxySignOut: oauth2-proxy clears its cookie and redirects to rd,
// Guildgate's /log-out. It keeps no ID token to send as a hint, so Guildgate
// asks the member to confirm.
func oauth2ProxySignOut(v Values) string {
	u := parse(v.RedirectURI)
	logout := v.Issuer + "/log-out?" + url.Values{"client_id": {v.ClientID},
		"post_logout_redirect_uri": {v.PostLogoutRedirectURI}}.Encode()
	return u.Scheme + "://" + u.Host + "/oauth2/sign_out?rd=" + url.QueryEscape(logout)
}
