package clients

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/guildgate/guildgate/internal/clientkeys"
	"github.com/guildgate/guildgate/internal/inputs"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/problem"
)

// Limits. They keep a registration, and the pages and tokens built from it,
// bounded; no honest partner app comes near them.
const (
	MaxNameLength = 200
	MaxURIs       = 100 // per list of redirect or post-logout URIs
	maxQuoted     = 120 // longest URI quoted whole in a message
)

// algs and grantTypes are model's lists, named for the rules below.
var (
	algs       = model.IDTokenAlgs
	grantTypes = model.GrantTypes
)

// defaultGrantTypes is what a client gets when none are asked for: the
// authorization-code grant with refresh tokens (PRODUCT.md). The implicit
// grant, and with it the hybrid response types, puts tokens in the browser
// and is opt-in per client, as RFC 9700 §2.1.2 advises; machine-to-machine
// access (client_credentials) is never granted without being asked for.
// Clients stored before this default changed keep the grants they were
// stored with: each client's list is explicit, so nothing reads a default
// later.
var defaultGrantTypes = []string{model.GrantAuthorizationCode, model.GrantRefreshToken}

// DefaultGrantTypes returns what a new client gets when none are asked for,
// for forms that start from it.
func DefaultGrantTypes() []string { return slices.Clone(defaultGrantTypes) }

// settings is what an administrator chooses for a client, normalized, minus
// the permitted groups (resolving those needs the store). Create checks the
// settings of the input, Update the settings after the patch.
type settings struct {
	Name                   string
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	IDTokenAlg             string
	BackchannelLogoutURI   string
	GrantTypes             []string
	Public, GroupsClaim    bool
	OmitIss                bool // leave iss out of authorization responses
	Modern                 Modern
}

// Modern is a client's settings of the modern OAuth profile; see the
// fields of the same names in model.Client.
type Modern struct {
	RequirePAR      bool
	RequireDPoP     bool
	TokenAuthMethod string // "", client_secret_basic, client_secret_post or private_key_jwt
	JWKSURI         string
	JWKS            string // a JWK Set document of public keys
}

func (m Modern) normal() Modern {
	m.TokenAuthMethod = strings.ToLower(inputs.Trim(m.TokenAuthMethod))
	m.JWKSURI, m.JWKS = inputs.Trim(m.JWKSURI), strings.TrimSpace(m.JWKS)
	var b bytes.Buffer
	if json.Compact(&b, []byte(m.JWKS)) == nil {
		m.JWKS = b.String() // stored and shown compact, whatever the layout pasted
	}
	return m
}

// validate reports the modern settings' problems, given whether the
// client is public.
func (m Modern) validate(ps *problem.List, public bool) {
	m.fieldProblems(ps)
	if m.JWKSURI != "" && m.JWKS != "" {
		ps.Add("jwks", "give the keys by URL (jwks_uri) or as a document (jwks), not both")
	}
	if m.TokenAuthMethod == model.AuthPrivateKeyJWT && m.JWKSURI == "" && m.JWKS == "" {
		ps.Add("token_auth_method", "private_key_jwt needs the client's public keys: set jwks_uri or jwks")
	}
	if public && m.TokenAuthMethod != "" {
		ps.Add("token_auth_method", "a public client does not authenticate: leave it empty")
	}
}

// fieldProblems reports what is wrong with each field on its own.
func (m Modern) fieldProblems(ps *problem.List) {
	if m.TokenAuthMethod != "" && !slices.Contains(oauth.TokenAuthMethods, m.TokenAuthMethod) {
		ps.Add("token_auth_method", "%q is not one of %s", m.TokenAuthMethod, strings.Join(oauth.TokenAuthMethods, ", "))
	}
	ps.Check("jwks_uri", clientkeys.CheckURI(m.JWKSURI))
	ps.Check("jwks", clientkeys.CheckSet(m.JWKS))
}

// validate reports every problem at once, each field's and those between
// fields.
func (st settings) validate() problem.List {
	var ps problem.List
	ps.Check("name", checkName(st.Name))
	checkURIs(&ps, "redirect_uris", st.RedirectURIs)
	checkURIs(&ps, "post_logout_redirect_uris", st.PostLogoutRedirectURIs)
	ps.Check("id_token_alg", checkAlg(st.IDTokenAlg))
	ps.Check("backchannel_logout_uri", checkBackchannel(st.BackchannelLogoutURI))
	checkGrants(&ps, st.GrantTypes)
	if len(st.RedirectURIs) == 0 && redirects(st.GrantTypes) {
		ps.Add("redirect_uris", "at least one is required (unless the grant types are only client_credentials, device_code and refresh_token)")
	}
	if st.Public && st.IDTokenAlg == model.AlgHS256 {
		ps.Add("id_token_alg", "HS256 is keyed with the client secret, and a public client has none: choose RS256, ES256 or EdDSA")
	}
	st.Modern.validate(&ps, st.Public)
	if st.Public && slices.Contains(st.GrantTypes, model.GrantClientCredentials) {
		ps.Add("grant_types", "client_credentials needs a client secret, and a public client has none")
	}
	return ps
}

// redirects reports whether any of grants sends the browser back to the
// client: a client that only acts for itself (client_credentials) or only
// signs in devices (RFC 8628) has no redirect URI to register.
func redirects(grants []string) bool {
	return slices.Contains(grants, model.GrantAuthorizationCode) || slices.Contains(grants, model.GrantImplicit)
}

// checkName bounds the name and refuses control characters, which would
// forge lines in the audit log and on consent and error pages.
func checkName(s string) string { return inputs.CheckText(s, true, MaxNameLength) }

// checkURIs reports each bad URI as its own problem naming it, so an
// administrator fixes a whole list in one go. The rules are internal/oauth's,
// the same MatchRedirectURI relies on.
func checkURIs(ps *problem.List, field string, uris []string) {
	if len(uris) > MaxURIs {
		ps.Add(field, "must list at most %d URIs", MaxURIs)
		return
	}
	seen := make(map[string]bool, len(uris))
	for _, u := range uris {
		switch {
		case seen[u]:
			ps.Add(field, "%s is listed twice", quote(u))
		default:
			ps.Check(field, URIProblem(u))
		}
		seen[u] = true
	}
}

// URIProblem words oauth.ValidateRedirectURI's verdict on u with u quoted,
// e.g. `"http://app.example/cb" must use https: …`; "" when u is good. SAML
// apps hold their ACS and SLO URLs to it too: the browser carries a signed
// assertion there, as it carries a code to a redirect URI.
func URIProblem(u string) string {
	err := oauth.ValidateRedirectURI(u)
	if err == nil {
		return ""
	}
	why := err.Error()
	if oe, ok := errors.AsType[*oauth.Error](err); ok {
		why = strings.TrimPrefix(oe.Description, "The redirect URI ")
	}
	return quote(u) + " " + why
}

// quote shows a URI in a message, escaped (%q) so control characters cannot
// reach a terminal, and shortened so a hostile one cannot flood it.
func quote(u string) string {
	if r := []rune(u); len(r) > maxQuoted {
		u = string(r[:maxQuoted]) + "…"
	}
	return fmt.Sprintf("%q", u)
}

func checkAlg(alg string) string {
	if slices.Contains(algs, alg) {
		return ""
	}
	return fmt.Sprintf("%q is not one of %s", alg, strings.Join(algs, ", "))
}

// checkBackchannel applies the redirect-URI rules to the back-channel logout
// URL: Back-Channel Logout 1.0 §2.2 forbids a fragment, and the logout token
// must travel over https, or to loopback during development.
func checkBackchannel(u string) string {
	if u == "" {
		return ""
	}
	return URIProblem(u)
}

func checkGrants(ps *problem.List, grants []string) {
	if len(grants) == 0 {
		ps.Add("grant_types", "at least one is required: %s", strings.Join(grantTypes, ", "))
		return
	}
	seen := make(map[string]bool, len(grants))
	for _, g := range grants {
		switch {
		case !slices.Contains(grantTypes, g):
			ps.Add("grant_types", "%q is not one of %s", g, strings.Join(grantTypes, ", "))
		case seen[g]:
			ps.Add("grant_types", "%s is listed twice", g)
		}
		seen[g] = true
	}
	if seen[model.GrantRefreshToken] && !seen[model.GrantAuthorizationCode] && !seen[model.GrantDeviceCode] {
		ps.Add("grant_types", "refresh_token needs authorization_code or device_code: refresh tokens are only issued when one is redeemed")
	}
}
