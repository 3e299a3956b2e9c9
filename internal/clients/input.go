package clients

import (
	"slices"
	"strings"

	"github.com/guildgate/guildgate/internal/inputs"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
)

// Input is a new client as an administrator describes it. List entries are
// trimmed; an empty entry is refused (see inputs.CheckList).
// PermittedGroups are group names.
type Input struct {
	Name                   string
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	PermittedGroups        []string
	IDTokenAlg             string   // "" means RS256
	BackchannelLogoutURI   string   // optional
	GrantTypes             []string // nil: DefaultGrantTypes (authorization_code, refresh_token)
	Public                 bool
	GroupsClaim            bool
	// AllMembers, when set, is the administrator's explicit choice (the
	// console's); nil lets PermittedGroups decide, as the API and CLI spell
	// it: no groups means every member. A client restricted to groups must
	// name at least one.
	AllMembers *bool
	// OmitAuthorizationResponseIss: see model.Client.
	OmitAuthorizationResponseIss bool
	// Modern: PAR and DPoP requirements, token-endpoint authentication and keys.
	Modern Modern
}

// Validate reports every problem Create would find without the store, so a
// caller can refuse bad input before opening anything. Unknown group names
// are only found by Create.
func (in Input) Validate() error { return in.problems().Err() }

func (in Input) problems() problem.List {
	ps := in.settings().validate()
	checkLists(&ps, map[string]*[]string{"redirect_uris": &in.RedirectURIs,
		"post_logout_redirect_uris": &in.PostLogoutRedirectURIs, "permitted_groups": &in.PermittedGroups,
		"grant_types": &in.GrantTypes})
	CheckGroupNames(&ps, in.PermittedGroups)
	return append(ps, AccessProblems("client", in.AllMembers, &in.PermittedGroups)...)
}

func (in Input) settings() settings {
	grants := defaultGrantTypes
	if in.GrantTypes != nil {
		grants = in.GrantTypes
	}
	return settings{
		Name:                   inputs.Trim(in.Name),
		RedirectURIs:           inputs.CleanList(in.RedirectURIs),
		PostLogoutRedirectURIs: inputs.CleanList(in.PostLogoutRedirectURIs),
		IDTokenAlg:             normalAlg(in.IDTokenAlg),
		BackchannelLogoutURI:   inputs.Trim(in.BackchannelLogoutURI),
		GrantTypes:             normalGrants(grants),
		Public:                 in.Public,
		GroupsClaim:            in.GroupsClaim,
		OmitIss:                in.OmitAuthorizationResponseIss,
		Modern:                 in.Modern.normal(),
	}
}

// Patch changes the fields that are non-nil. A non-nil pointer to an empty
// list clears the list.
//
// Who may use the client changes only when PermittedGroups or AllMembers is
// set, so an edit of anything else never widens access. PermittedGroups
// alone says it all, as the API and CLI spell it: a non-empty list restricts
// the client to those groups, an empty one opens it to every member.
// AllMembers makes the choice explicit, as the console's "Every member" /
// "Only these groups" does: false with an empty (or nil) PermittedGroups
// keeps the client restricted to no group at all, so it admits nobody.
type Patch struct {
	Name                   *string
	RedirectURIs           *[]string
	PostLogoutRedirectURIs *[]string
	PermittedGroups        *[]string
	AllMembers             *bool
	IDTokenAlg             *string
	BackchannelLogoutURI   *string
	GrantTypes             *[]string
	Public                 *bool
	GroupsClaim            *bool
	// OmitAuthorizationResponseIss: see model.Client.
	OmitAuthorizationResponseIss *bool
	// The modern settings; see model.Client.
	RequirePAR, RequireDPoP        *bool
	TokenAuthMethod, JWKSURI, JWKS *string
}

// Validate reports every problem with the fields p sets, each on its own.
// Rules between fields (HS256 on a public client, say) need the client the
// patch applies to, so Update checks them.
func (p Patch) Validate() error { return p.problems().Err() }

func (p Patch) problems() problem.List {
	var ps problem.List
	if p == (Patch{}) {
		ps.Check("", "nothing to change")
	}
	base := settingsOf(model.Client{})
	st := p.apply(base)
	checkLists(&ps, map[string]*[]string{"redirect_uris": p.RedirectURIs,
		"post_logout_redirect_uris": p.PostLogoutRedirectURIs, "permitted_groups": p.PermittedGroups,
		"grant_types": p.GrantTypes})
	if p.IDTokenAlg != nil && inputs.Trim(*p.IDTokenAlg) == "" {
		ps.Add("id_token_alg", "must be one of %s", strings.Join(algs, ", "))
	}
	if p.Name != nil {
		ps.Check("name", checkName(st.Name))
	}
	if p.RedirectURIs != nil {
		checkURIs(&ps, "redirect_uris", st.RedirectURIs)
	}
	if p.PostLogoutRedirectURIs != nil {
		checkURIs(&ps, "post_logout_redirect_uris", st.PostLogoutRedirectURIs)
	}
	if p.IDTokenAlg != nil {
		ps.Check("id_token_alg", checkAlg(st.IDTokenAlg))
	}
	if p.BackchannelLogoutURI != nil {
		ps.Check("backchannel_logout_uri", checkBackchannel(st.BackchannelLogoutURI))
	}
	if p.GrantTypes != nil {
		checkGrants(&ps, st.GrantTypes)
	}
	if p.TokenAuthMethod != nil || p.JWKSURI != nil || p.JWKS != nil {
		st.Modern.fieldProblems(&ps) // rules between fields wait for Update, which knows the client
	}
	if p.PermittedGroups != nil {
		CheckGroupNames(&ps, *p.PermittedGroups)
	}
	if p.AllMembers != nil && *p.AllMembers { // false with no groups is allowed: see Patch
		ps = append(ps, AccessProblems("client", p.AllMembers, p.PermittedGroups)...)
	}
	return ps
}

// access returns who may use the client after p: AllMembers and the
// permitted group ids, given groupIDs (p's groups, resolved). It keeps the
// client's as they are when p changes neither.
func (p Patch) access(c model.Client, groupIDs []string) (allMembers bool, groups []string) {
	return AccessAfter(c.AllMembers, c.PermittedGroups, p.PermittedGroups != nil, p.AllMembers, groupIDs)
}

// changesAccess reports whether p may change who uses the client.
func (p Patch) changesAccess() bool { return p.PermittedGroups != nil || p.AllMembers != nil }

// apply returns st with p's fields normalized and set.
func (p Patch) apply(st settings) settings {
	if p.Name != nil {
		st.Name = inputs.Trim(*p.Name)
	}
	if p.RedirectURIs != nil {
		st.RedirectURIs = inputs.CleanList(*p.RedirectURIs)
	}
	if p.PostLogoutRedirectURIs != nil {
		st.PostLogoutRedirectURIs = inputs.CleanList(*p.PostLogoutRedirectURIs)
	}
	if p.IDTokenAlg != nil {
		st.IDTokenAlg = normalAlg(*p.IDTokenAlg)
	}
	if p.BackchannelLogoutURI != nil {
		st.BackchannelLogoutURI = inputs.Trim(*p.BackchannelLogoutURI)
	}
	if p.GrantTypes != nil {
		st.GrantTypes = normalGrants(inputs.CleanList(*p.GrantTypes))
	}
	if p.Public != nil {
		st.Public = *p.Public
	}
	if p.GroupsClaim != nil {
		st.GroupsClaim = *p.GroupsClaim
	}
	if p.OmitAuthorizationResponseIss != nil {
		st.OmitIss = *p.OmitAuthorizationResponseIss
	}
	return p.applyModern(st)
}

func (p Patch) applyModern(st settings) settings {
	m := &st.Modern
	for dst, src := range map[*bool]*bool{&m.RequirePAR: p.RequirePAR, &m.RequireDPoP: p.RequireDPoP} {
		if src != nil {
			*dst = *src
		}
	}
	for dst, src := range map[*string]*string{&m.TokenAuthMethod: p.TokenAuthMethod, &m.JWKSURI: p.JWKSURI, &m.JWKS: p.JWKS} {
		if src != nil {
			*dst = *src
		}
	}
	st.Modern = m.normal()
	return st
}

// fields names what p changes, for the audit log.
func (p Patch) fields() string {
	return inputs.FieldNames(map[string]bool{
		"name": p.Name != nil, "redirect_uris": p.RedirectURIs != nil,
		"post_logout_redirect_uris": p.PostLogoutRedirectURIs != nil, "permitted_groups": p.PermittedGroups != nil,
		"all_members":  p.AllMembers != nil,
		"id_token_alg": p.IDTokenAlg != nil, "backchannel_logout_uri": p.BackchannelLogoutURI != nil,
		"grant_types": p.GrantTypes != nil, "public": p.Public != nil, "groups_claim": p.GroupsClaim != nil,
		"omit_authorization_response_iss": p.OmitAuthorizationResponseIss != nil,
		"require_par":                     p.RequirePAR != nil, "require_dpop": p.RequireDPoP != nil,
		"token_auth_method": p.TokenAuthMethod != nil, "jwks_uri": p.JWKSURI != nil, "jwks": p.JWKS != nil,
	})
}

func settingsOf(c model.Client) settings {
	return settings{
		Name: c.Name, RedirectURIs: c.RedirectURIs, PostLogoutRedirectURIs: c.PostLogoutRedirectURIs,
		IDTokenAlg: c.IDTokenAlg, BackchannelLogoutURI: c.BackchannelLogoutURI, GrantTypes: c.GrantTypes,
		Public: c.Public, GroupsClaim: c.GroupsClaim, OmitIss: c.OmitAuthorizationResponseIss,
		Modern: Modern{RequirePAR: c.RequirePAR, RequireDPoP: c.RequireDPoP, TokenAuthMethod: c.TokenAuthMethod,
			JWKSURI: c.JWKSURI, JWKS: c.JWKS},
	}
}

func (st settings) applyTo(c *model.Client) {
	c.Name, c.RedirectURIs, c.PostLogoutRedirectURIs = st.Name, st.RedirectURIs, st.PostLogoutRedirectURIs
	c.IDTokenAlg, c.BackchannelLogoutURI, c.GrantTypes = st.IDTokenAlg, st.BackchannelLogoutURI, st.GrantTypes
	c.Public, c.GroupsClaim = st.Public, st.GroupsClaim
	c.OmitAuthorizationResponseIss = st.OmitIss
	c.RequirePAR, c.RequireDPoP, c.TokenAuthMethod = st.Modern.RequirePAR, st.Modern.RequireDPoP, st.Modern.TokenAuthMethod
	c.JWKSURI, c.JWKS = st.Modern.JWKSURI, st.Modern.JWKS
}

// checkLists reports an empty entry in any of the lists given (nil ones
// were not).
func checkLists(ps *problem.List, lists map[string]*[]string) {
	for _, field := range []string{"redirect_uris", "post_logout_redirect_uris", "permitted_groups", "grant_types"} {
		if l := lists[field]; l != nil {
			inputs.CheckList(ps, field, *l)
		}
	}
}

// normalAlg defaults to RS256 and accepts any letter case ("es256"), storing
// the registered JOSE spelling; anything else is kept for the message.
func normalAlg(alg string) string {
	alg = inputs.Trim(alg)
	if alg == "" {
		return model.AlgRS256
	}
	for _, a := range algs {
		if strings.EqualFold(a, alg) {
			return a
		}
	}
	return alg
}

// normalGrants lower-cases and sorts into grantTypes order, unknown ones
// last, so stored lists compare and print the same whatever the input order.
func normalGrants(grants []string) []string {
	out := inputs.CleanList(grants)
	for i := range out {
		out[i] = strings.ToLower(out[i])
	}
	rank := func(g string) int {
		if i := slices.Index(grantTypes, g); i >= 0 {
			return i
		}
		return len(grantTypes)
	}
	slices.SortStableFunc(out, func(a, b string) int { return rank(a) - rank(b) })
	return out
}
