package connections

import (
	"regexp"
	"slices"
	"strings"

	"github.com/guildgate/guildgate/internal/inputs"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/upstream"
)

// Input is a connection as an administrator describes it: its settings,
// the plain client secret and the group mapping by group name. List
// entries are trimmed and repeats dropped; an empty entry is refused (see
// inputs.CheckList). Left empty, Scopes default to DefaultScopes, JITStatus
// to current, IssuerMode to exact and AuthMethod to client_secret_basic;
// EntraTenants are each bound to their domains (see normalizeEntraTenants).
type Input struct {
	model.ConnectionSettings
	// ClientSecret is the plain secret; it is sealed before it is stored
	// and never read back out through a view.
	ClientSecret string
	GroupMap     []GroupMap
}

// GroupMap maps an upstream group (a value of the groups claim) to a local
// group, by name.
type GroupMap struct{ Upstream, Group string }

// DefaultScopes are requested when none are configured.
var DefaultScopes = []string{"openid", "email", "profile"}

// fallbackClaims are the only claims an email may fall back to: both are
// how Entra ID and Okta name the sign-in address when email is absent.
var fallbackClaims = []string{"preferred_username", "upn"}

var (
	domainRE = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	tokenRE  = regexp.MustCompile(`^[\x21-\x7e]{1,100}$`) // a scope or claim name: printable, no spaces
)

// normalized trims and defaults every field.
func (in Input) normalized() Input {
	for _, f := range []*string{&in.Name, &in.DiscoveryURL, &in.Issuer, &in.AuthorizationURL, &in.TokenURL,
		&in.JWKSURL, &in.UserinfoURL, &in.ClientID, &in.IssuerMode, &in.AuthMethod,
		&in.Claims.Email, &in.Claims.Name, &in.Claims.GivenName, &in.Claims.FamilyName, &in.Claims.Groups} {
		*f = inputs.Trim(*f)
	}
	if in.Scopes == nil {
		in.Scopes = DefaultScopes
	}
	in.Scopes = clean(in.Scopes)
	in.EmailFallbackClaims = clean(in.EmailFallbackClaims)
	in.Domains = clean(in.Domains)
	for i, d := range in.Domains {
		in.Domains[i] = normalizeDomain(d)
	}
	in.EntraTenants = normalizeEntraTenants(in.EntraTenants, in.Domains)
	in.JITStatus = model.MemberStatus(strings.TrimSpace(string(in.JITStatus)))
	in.IssuerMode = orDefault(in.IssuerMode, model.IssuerExact)
	in.AuthMethod = orDefault(in.AuthMethod, model.AuthClientSecretBasic)
	in.JITStatus = model.MemberStatus(orDefault(string(in.JITStatus), string(model.StatusCurrent)))
	return in
}

// Validate reports every problem with in that needs no store; unknown
// group names and domains taken by another connection are found on save.
func (in Input) Validate() error { return in.normalized().problems(true).Err() }

// problems checks a normalized input. A new connection may be a draft
// (name and domains only) for its IT contact to complete through a setup
// link; once any provider detail is given, all the required ones are.
func (in Input) problems(secretGiven bool) problem.List {
	var ps problem.List
	ps.Check("name", checkName(in.Name))
	if in.draft(secretGiven) {
		return append(ps, in.settingProblems()...)
	}
	manual := in.Issuer != "" || in.AuthorizationURL != "" || in.TokenURL != "" || in.JWKSURL != ""
	switch {
	case in.DiscoveryURL != "":
		ps.Check("discovery_url", endpointProblem(in.DiscoveryURL))
	case !manual:
		ps.Add("discovery_url", "give a discovery URL, or the issuer, authorization, token and JWKS URLs")
	}
	for field, u := range map[string]string{"issuer": in.Issuer, "authorization_url": in.AuthorizationURL,
		"token_url": in.TokenURL, "jwks_url": in.JWKSURL, "userinfo_url": in.UserinfoURL} {
		switch {
		case u != "":
			ps.Check(field, endpointProblem(u))
		case in.DiscoveryURL == "" && manual && field != "userinfo_url":
			ps.Add(field, "is required without a discovery URL")
		}
	}
	if in.ClientID == "" {
		ps.Add("client_id", "is required")
	}
	if !secretGiven {
		ps.Add("client_secret", "is required (read from stdin, never from a flag)")
	}
	return append(ps, in.settingProblems()...)
}

func (in Input) draft(secretGiven bool) bool {
	return in.DiscoveryURL == "" && in.Issuer == "" && in.AuthorizationURL == "" && in.TokenURL == "" &&
		in.JWKSURL == "" && in.UserinfoURL == "" && in.ClientID == "" && !secretGiven
}

func (in Input) settingProblems() problem.List {
	var ps problem.List
	for _, l := range []struct {
		field   string
		entries []string
	}{{"domains", in.Domains}, {"scopes", in.Scopes}, {"email_fallback_claims", in.EmailFallbackClaims}} {
		inputs.CheckList(&ps, l.field, l.entries)
	}
	ps = append(ps, entraTenantShape(in.EntraTenants)...)
	if inputs.HasControl(in.ClientID) {
		ps.Add("client_id", "must not contain control characters")
	}
	for _, d := range in.Domains {
		if d == "" {
			continue // reported above
		}
		if len(d) > 253 || !domainRE.MatchString(d) || !strings.Contains(d, ".") {
			ps.Add("domains", "%q is not an email domain such as acme.example", d)
		}
	}
	if !slices.Contains(in.Scopes, "openid") {
		ps.Add("scopes", "must include openid")
	}
	for _, v := range append(append([]string{}, in.Scopes...), claimNames(in.Claims)...) {
		if v != "" && !tokenRE.MatchString(v) {
			ps.Add("scopes", "%q is not a valid scope or claim name", v)
		}
	}
	if !in.JITStatus.Valid() {
		ps.Add("jit_status", "%q is not a member status", in.JITStatus)
	}
	switch {
	case !slices.Contains(model.IssuerModes, in.IssuerMode):
		ps.Add("issuer_mode", "%q is not %s", in.IssuerMode, orList(model.IssuerModes))
	case in.IssuerMode == model.IssuerEntraMultiTenant:
		ps = append(ps, entraTenantProblems(in.EntraTenants, in.Domains)...)
	}
	if !slices.Contains(model.AuthMethods, in.AuthMethod) {
		ps.Add("auth_method", "%q is not %s", in.AuthMethod, orList(model.AuthMethods))
	}
	for _, c := range in.EmailFallbackClaims {
		if c != "" && !slices.Contains(fallbackClaims, c) {
			ps.Add("email_fallback_claims", "%q is not one of %s", c, strings.Join(fallbackClaims, ", "))
		}
	}
	for _, g := range in.GroupMap {
		if strings.TrimSpace(g.Upstream) == "" || strings.TrimSpace(g.Group) == "" {
			ps.Add("group_map", "write each mapping as upstream-group=local-group")
		}
	}
	return ps
}

func claimNames(m model.ClaimMapping) []string {
	var out []string
	for _, v := range []string{m.Email, m.Name, m.GivenName, m.FamilyName, m.Groups} {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

func checkName(s string) string {
	switch {
	case s == "":
		return "is required"
	case len([]rune(s)) > 100:
		return "must be at most 100 characters"
	case inputs.HasControl(s):
		return "must not contain control characters"
	}
	return ""
}

func endpointProblem(u string) string {
	if err := upstream.CheckEndpoint(u); err != nil {
		return err.Error()
	}
	return ""
}

// clean trims entries and drops repeats; never nil. An empty entry is kept
// (once) for settingProblems to refuse: a stray comma is a mistake, on the
// CLI as in the API.
func clean(in []string) []string {
	out := make([]string, 0, len(in))
	for _, v := range in {
		if v = inputs.Trim(v); !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// orList writes a choice for a message: "a or b", "a, b or c".
func orList(l []string) string {
	if len(l) < 2 {
		return strings.Join(l, "")
	}
	return strings.Join(l[:len(l)-1], ", ") + " or " + l[len(l)-1]
}
