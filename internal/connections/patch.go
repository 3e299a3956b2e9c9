package connections

import (
	"github.com/guildgate/guildgate/internal/inputs"
	"github.com/guildgate/guildgate/internal/model"
)

// Patch changes the fields that are non-nil; a non-nil pointer to an empty
// list clears it. The connection as it will be is validated as a whole.
type Patch struct {
	Name, DiscoveryURL, Issuer, AuthorizationURL, TokenURL, JWKSURL, UserinfoURL *string
	ClientID, ClientSecret                                                       *string
	Scopes, Domains, EmailFallbackClaims                                         *[]string
	EntraTenants                                                                 *[]model.EntraTenant
	EmailClaim, NameClaim, GivenNameClaim, FamilyNameClaim, GroupsClaim          *string
	GroupMap                                                                     *[]GroupMap
	JIT, TrustEmail, FetchUserinfo, ShowButton                                   *bool
	JITStatus                                                                    *model.MemberStatus
	IssuerMode, AuthMethod                                                       *string
}

// apply returns in with p's fields set.
func (p Patch) apply(in Input) Input {
	for _, f := range []struct {
		dst *string
		v   *string
	}{
		{&in.Name, p.Name}, {&in.DiscoveryURL, p.DiscoveryURL}, {&in.Issuer, p.Issuer},
		{&in.AuthorizationURL, p.AuthorizationURL}, {&in.TokenURL, p.TokenURL}, {&in.JWKSURL, p.JWKSURL},
		{&in.UserinfoURL, p.UserinfoURL}, {&in.ClientID, p.ClientID}, {&in.ClientSecret, p.ClientSecret},
		{&in.Claims.Email, p.EmailClaim}, {&in.Claims.Name, p.NameClaim}, {&in.Claims.GivenName, p.GivenNameClaim},
		{&in.Claims.FamilyName, p.FamilyNameClaim}, {&in.Claims.Groups, p.GroupsClaim},
		{&in.IssuerMode, p.IssuerMode}, {&in.AuthMethod, p.AuthMethod},
	} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	for _, f := range []struct{ dst, v *[]string }{
		{&in.Scopes, p.Scopes}, {&in.Domains, p.Domains}, {&in.EmailFallbackClaims, p.EmailFallbackClaims},
	} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	for _, f := range []struct{ dst, v *bool }{
		{&in.JIT, p.JIT}, {&in.TrustEmail, p.TrustEmail}, {&in.FetchUserinfo, p.FetchUserinfo}, {&in.ShowButton, p.ShowButton},
	} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	if p.GroupMap != nil {
		in.GroupMap = *p.GroupMap
	}
	if p.EntraTenants != nil {
		in.EntraTenants = *p.EntraTenants
	}
	if p.JITStatus != nil {
		in.JITStatus = *p.JITStatus
	}
	return in
}

// fields names what p changes, for the audit log (never values).
func (p Patch) fields() string {
	return inputs.FieldNames(map[string]bool{
		"name": p.Name != nil, "discovery_url": p.DiscoveryURL != nil, "issuer": p.Issuer != nil,
		"authorization_url": p.AuthorizationURL != nil, "token_url": p.TokenURL != nil, "jwks_url": p.JWKSURL != nil,
		"userinfo_url": p.UserinfoURL != nil, "client_id": p.ClientID != nil, "client_secret": p.ClientSecret != nil,
		"scopes": p.Scopes != nil, "domains": p.Domains != nil, "entra_tenants": p.EntraTenants != nil,
		"email_fallback_claims": p.EmailFallbackClaims != nil, "claims": p.EmailClaim != nil || p.NameClaim != nil ||
			p.GivenNameClaim != nil || p.FamilyNameClaim != nil || p.GroupsClaim != nil,
		"group_map": p.GroupMap != nil, "jit": p.JIT != nil, "trust_email": p.TrustEmail != nil,
		"fetch_userinfo": p.FetchUserinfo != nil, "show_button": p.ShowButton != nil, "jit_status": p.JITStatus != nil,
		"issuer_mode": p.IssuerMode != nil, "auth_method": p.AuthMethod != nil,
	})
}

// inputOf is the Input that describes c, with group ids named; the secret
// stays empty (it is kept sealed unless a patch replaces it).
func inputOf(c model.Connection, groupNames map[string]string) Input {
	gm := make([]GroupMap, 0, len(c.GroupMap))
	for _, m := range c.GroupMap {
		if name, ok := groupNames[m.GroupID]; ok { // a deleted group's mapping lapses
			gm = append(gm, GroupMap{Upstream: m.Upstream, Group: name})
		}
	}
	return Input{ConnectionSettings: c.ConnectionSettings, GroupMap: gm}
}

// applyTo writes a normalized input's settings onto c (not the secret).
func (in Input) applyTo(c *model.Connection, groupIDs []model.GroupMapping) {
	c.ConnectionSettings, c.GroupMap = in.ConnectionSettings, groupIDs
}
