package api

import (
	"github.com/guildgate/guildgate/internal/connections"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/views"
)

// connectionInput is a connection as an administrator describes it. The
// client secret is write-only: no view ever returns it, sealed or not.
type connectionInput struct {
	Name                string         `json:"name"`
	DiscoveryURL        string         `json:"discovery_url,omitempty"`
	Issuer              string         `json:"issuer,omitempty"`
	AuthorizationURL    string         `json:"authorization_url,omitempty"`
	TokenURL            string         `json:"token_url,omitempty"`
	JWKSURL             string         `json:"jwks_url,omitempty"`
	UserinfoURL         string         `json:"userinfo_url,omitempty"`
	ClientID            string         `json:"client_id,omitempty"`
	ClientSecret        string         `json:"client_secret,omitempty"`
	Scopes              []string       `json:"scopes,omitempty"`
	Domains             []string       `json:"domains,omitempty"`
	Claims              claimMapping   `json:"claims,omitzero"`
	GroupMap            []groupMapping `json:"group_map,omitempty"`
	JIT                 bool           `json:"jit,omitempty"`
	JITStatus           string         `json:"jit_status,omitempty"`
	TrustEmail          bool           `json:"trust_email,omitempty"`
	IssuerMode          string         `json:"issuer_mode,omitempty"`
	EntraTenants        []entraTenant  `json:"entra_tenants,omitempty"`
	AllowedTenantIDs    []string       `json:"allowed_tenant_ids,omitempty"` // old form: ids without domains
	AuthMethod          string         `json:"auth_method,omitempty"`
	FetchUserinfo       bool           `json:"fetch_userinfo,omitempty"`
	ShowButton          bool           `json:"show_button,omitempty"`
	EmailFallbackClaims []string       `json:"email_fallback_claims,omitempty"`
}

// claimMapping names the upstream claims; empty ones keep the defaults.
type claimMapping struct {
	Email      string `json:"email,omitempty"`
	Name       string `json:"name,omitempty"`
	GivenName  string `json:"given_name,omitempty"`
	FamilyName string `json:"family_name,omitempty"`
	Groups     string `json:"groups,omitempty"`
}

// groupMapping maps an upstream group to a local group, by name, in the
// same shape the connection view shows.
type groupMapping = views.GroupMapping

func groupMaps(in []groupMapping) []connections.GroupMap {
	out := make([]connections.GroupMap, len(in))
	for i, g := range in {
		out[i] = connections.GroupMap{Upstream: g.Upstream, Group: g.Group}
	}
	return out
}

// entraTenant is an allowed Entra tenant and its domains, as the
// connection view shows it.
type entraTenant = views.EntraTenant

// tenantsOf reads entra_tenants and the older allowed_tenant_ids (ids
// without domains) together, so giving both in a contradictory way is
// reported by validation like any other mistake (a tenant listed twice, or
// one of several bound to no domain).
func tenantsOf(ts []entraTenant, ids []string) []model.EntraTenant {
	out := make([]model.EntraTenant, 0, len(ts)+len(ids))
	for _, t := range ts {
		out = append(out, model.EntraTenant{ID: t.TenantID, Domains: t.Domains})
	}
	for _, id := range ids {
		out = append(out, model.EntraTenant{ID: id})
	}
	return out
}

func deref[T any](p *[]T) []T {
	if p == nil {
		return nil
	}
	return *p
}

func (in connectionInput) connections() connections.Input {
	return connections.Input{ConnectionSettings: model.ConnectionSettings{Name: in.Name,
		DiscoveryURL: in.DiscoveryURL, Issuer: in.Issuer, AuthorizationURL: in.AuthorizationURL, TokenURL: in.TokenURL,
		JWKSURL: in.JWKSURL, UserinfoURL: in.UserinfoURL, ClientID: in.ClientID, Scopes: in.Scopes, Domains: in.Domains,
		Claims: model.ClaimMapping(in.Claims), JIT: in.JIT, JITStatus: model.MemberStatus(in.JITStatus),
		TrustEmail: in.TrustEmail, IssuerMode: in.IssuerMode, EntraTenants: tenantsOf(in.EntraTenants, in.AllowedTenantIDs),
		AuthMethod: in.AuthMethod, FetchUserinfo: in.FetchUserinfo, ShowButton: in.ShowButton,
		EmailFallbackClaims: in.EmailFallbackClaims},
		ClientSecret: in.ClientSecret, GroupMap: groupMaps(in.GroupMap)}
}

// connectionPatch changes the fields present; claims replace the mapping
// field by field.
type connectionPatch struct {
	Name                *string         `json:"name,omitempty"`
	DiscoveryURL        *string         `json:"discovery_url,omitempty"`
	Issuer              *string         `json:"issuer,omitempty"`
	AuthorizationURL    *string         `json:"authorization_url,omitempty"`
	TokenURL            *string         `json:"token_url,omitempty"`
	JWKSURL             *string         `json:"jwks_url,omitempty"`
	UserinfoURL         *string         `json:"userinfo_url,omitempty"`
	ClientID            *string         `json:"client_id,omitempty"`
	ClientSecret        *string         `json:"client_secret,omitempty"`
	Scopes              *[]string       `json:"scopes,omitempty"`
	Domains             *[]string       `json:"domains,omitempty"`
	GroupsClaim         *string         `json:"groups_claim,omitempty"`
	GroupMap            *[]groupMapping `json:"group_map,omitempty"`
	JIT                 *bool           `json:"jit,omitempty"`
	JITStatus           *string         `json:"jit_status,omitempty"`
	TrustEmail          *bool           `json:"trust_email,omitempty"`
	IssuerMode          *string         `json:"issuer_mode,omitempty"`
	EntraTenants        *[]entraTenant  `json:"entra_tenants,omitempty"`
	AllowedTenantIDs    *[]string       `json:"allowed_tenant_ids,omitempty"`
	AuthMethod          *string         `json:"auth_method,omitempty"`
	FetchUserinfo       *bool           `json:"fetch_userinfo,omitempty"`
	ShowButton          *bool           `json:"show_button,omitempty"`
	EmailFallbackClaims *[]string       `json:"email_fallback_claims,omitempty"`
}

func (p connectionPatch) connections() connections.Patch {
	out := connections.Patch{Name: p.Name, DiscoveryURL: p.DiscoveryURL, Issuer: p.Issuer,
		AuthorizationURL: p.AuthorizationURL, TokenURL: p.TokenURL, JWKSURL: p.JWKSURL, UserinfoURL: p.UserinfoURL,
		ClientID: p.ClientID, ClientSecret: p.ClientSecret, Scopes: p.Scopes, Domains: p.Domains,
		GroupsClaim: p.GroupsClaim, JIT: p.JIT, TrustEmail: p.TrustEmail, IssuerMode: p.IssuerMode,
		AuthMethod: p.AuthMethod, FetchUserinfo: p.FetchUserinfo,
		ShowButton: p.ShowButton, EmailFallbackClaims: p.EmailFallbackClaims}
	if p.GroupMap != nil {
		gm := groupMaps(*p.GroupMap)
		out.GroupMap = &gm
	}
	if p.JITStatus != nil {
		s := model.MemberStatus(*p.JITStatus)
		out.JITStatus = &s
	}
	if p.EntraTenants != nil || p.AllowedTenantIDs != nil {
		ts := tenantsOf(deref(p.EntraTenants), deref(p.AllowedTenantIDs))
		out.EntraTenants = &ts
	}
	return out
}

type connectionList struct {
	Items []views.Connection `json:"items"`
}
