// Package views is the one JSON shape of each object that administrators
// script against, shared by the CLI's --json and the admin API so the two
// can never drift. The field names are a contract (snake_case, stable); a
// field without omitzero is always present, and a list is [] rather than
// null. What must never leave the server (sealed secrets, an upstream
// connection's client secret) has no field here.
package views

import (
	"encoding/json"
	"time"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/connections"
	"github.com/guildgate/guildgate/internal/model"
)

// Client is an SSO client. It includes the plain secret: administrators copy
// it from here, as from the console (PRODUCT.md). all_members is true when
// every member may use it; admits_nobody when it is restricted to groups
// none of which exists any more (each shown as "(deleted group <id>)").
type Client struct {
	ClientID               string    `json:"client_id"`
	ClientSecret           string    `json:"client_secret"`
	Name                   string    `json:"name"`
	RedirectURIs           []string  `json:"redirect_uris"`
	PostLogoutRedirectURIs []string  `json:"post_logout_redirect_uris"`
	PermittedGroups        []string  `json:"permitted_groups"`
	AllMembers             bool      `json:"all_members"`
	AdmitsNobody           bool      `json:"admits_nobody"`
	IDTokenAlg             string    `json:"id_token_alg"`
	BackchannelLogoutURI   string    `json:"backchannel_logout_uri"`
	GrantTypes             []string  `json:"grant_types"`
	Public                 bool      `json:"public"`
	GroupsClaim            bool      `json:"groups_claim"`
	SecretRotatingUntil    time.Time `json:"secret_rotating_until,omitzero"`
	CreatedAt              time.Time `json:"created_at"`
	UpdatedAt              time.Time `json:"updated_at"`

	// OmitAuthorizationResponseIss: see model.Client.
	OmitAuthorizationResponseIss bool `json:"omit_authorization_response_iss"`

	// The modern OAuth settings: see model.Client. token_auth_method is
	// "client_secret_basic" for a confidential client that chose none
	// (either secret method works), "none" for a public client.
	RequirePAR      bool            `json:"require_par"`
	RequireDPoP     bool            `json:"require_dpop"`
	TokenAuthMethod string          `json:"token_auth_method"`
	JWKSURI         string          `json:"jwks_uri"`
	JWKS            json.RawMessage `json:"jwks,omitzero"` // the JWK Set document; absent when none
}

// tokenAuthMethod is what a client's token requests authenticate with.
func tokenAuthMethod(c model.Client) string {
	switch {
	case c.Public:
		return "none"
	case c.TokenAuthMethod == "":
		return model.AuthClientSecretBasic
	}
	return c.TokenAuthMethod
}

// jwksDocument is the registered key set as JSON (nil when there is none).
func jwksDocument(doc string) json.RawMessage {
	if doc == "" {
		return nil
	}
	return json.RawMessage(doc)
}

// ClientOf is the view of a client as the clients service returns it.
func ClientOf(v clients.View) Client {
	return Client{
		ClientID: v.ID, ClientSecret: v.Secret, Name: v.Name, RedirectURIs: list(v.RedirectURIs),
		PostLogoutRedirectURIs: list(v.PostLogoutRedirectURIs), PermittedGroups: list(v.PermittedGroupNames),
		AllMembers: v.OpenToAllMembers(), AdmitsNobody: v.AdmitsNobody,
		IDTokenAlg: v.IDTokenAlg, BackchannelLogoutURI: v.BackchannelLogoutURI, GrantTypes: list(v.GrantTypes),
		Public: v.Public, GroupsClaim: v.GroupsClaim, SecretRotatingUntil: v.SecretRotatingUntil,
		CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt,
		OmitAuthorizationResponseIss: v.OmitAuthorizationResponseIss,
		RequirePAR:                   v.RequirePAR, RequireDPoP: v.RequireDPoP, TokenAuthMethod: tokenAuthMethod(v.Client),
		JWKSURI: v.JWKSURI, JWKS: jwksDocument(v.JWKS),
	}
}

// Connection is a connection to an organisation's identity provider. Its
// client secret is never included, sealed or not: only whether one is set.
type Connection struct {
	ID                  string         `json:"id"`
	Name                string         `json:"name"`
	Ready               bool           `json:"ready"`
	CallbackURL         string         `json:"callback_url"`
	DiscoveryURL        string         `json:"discovery_url"`
	Issuer              string         `json:"issuer"`
	AuthorizationURL    string         `json:"authorization_url"`
	TokenURL            string         `json:"token_url"`
	JWKSURL             string         `json:"jwks_url"`
	UserinfoURL         string         `json:"userinfo_url"`
	ClientID            string         `json:"client_id"`
	ClientSecretSet     bool           `json:"client_secret_set"`
	Scopes              []string       `json:"scopes"`
	Domains             []string       `json:"domains"`
	Claims              ClaimNames     `json:"claims"`
	GroupMap            []GroupMapping `json:"group_map"`
	JIT                 bool           `json:"jit"`
	JITStatus           string         `json:"jit_status"`
	TrustEmail          bool           `json:"trust_email"`
	IssuerMode          string         `json:"issuer_mode"`
	EntraTenants        []EntraTenant  `json:"entra_tenants"`
	AllowedTenantIDs    []string       `json:"allowed_tenant_ids"` // EntraTenants' ids, for scripts older than the binding
	AuthMethod          string         `json:"auth_method"`
	FetchUserinfo       bool           `json:"fetch_userinfo"`
	ShowButton          bool           `json:"show_button"`
	EmailFallbackClaims []string       `json:"email_fallback_claims"`
	CreatedAt           time.Time      `json:"created_at"`
	UpdatedAt           time.Time      `json:"updated_at"`
}

// ClaimNames names the upstream claims read; "" groups means groups are not
// read.
type ClaimNames struct {
	Email      string `json:"email"`
	Name       string `json:"name"`
	GivenName  string `json:"given_name"`
	FamilyName string `json:"family_name"`
	Groups     string `json:"groups"`
}

// EntraTenant is an allowed Entra ID tenant and the domains it may assert.
type EntraTenant struct {
	TenantID string   `json:"tenant_id"`
	Domains  []string `json:"domains"`
}

// GroupMapping maps an upstream group to a local group, by name.
type GroupMapping struct {
	Upstream string `json:"upstream"`
	Group    string `json:"group"`
}

// ConnectionOf is the view of a connection as the connections service
// returns it. callbackURL is where the provider sends members back (the
// tenant's issuer and the federation callback path); groupNames maps group
// IDs to names, and may be nil when the names no longer matter (a deleted
// connection).
func ConnectionOf(c model.Connection, callbackURL string, groupNames map[string]string) Connection {
	gm := []GroupMapping{}
	for _, m := range c.GroupMap {
		gm = append(gm, GroupMapping{Upstream: m.Upstream, Group: groupNames[m.GroupID]})
	}
	return Connection{
		ID: c.ID, Name: c.Name, Ready: connections.Ready(c), CallbackURL: callbackURL,
		DiscoveryURL: c.DiscoveryURL, Issuer: c.Issuer, AuthorizationURL: c.AuthorizationURL, TokenURL: c.TokenURL,
		JWKSURL: c.JWKSURL, UserinfoURL: c.UserinfoURL, ClientID: c.ClientID, ClientSecretSet: c.ClientSecret != "",
		Scopes: list(c.Scopes), Domains: list(c.Domains), Claims: ClaimNames(c.Claims), GroupMap: gm, JIT: c.JIT,
		JITStatus: string(c.JITStatus), TrustEmail: c.TrustEmail, IssuerMode: c.IssuerMode,
		EntraTenants: entraTenants(c.EntraTenants), AllowedTenantIDs: list(c.EntraTenantIDs()), AuthMethod: c.AuthMethod, FetchUserinfo: c.FetchUserinfo,
		ShowButton: c.ShowButton, EmailFallbackClaims: list(c.EmailFallbackClaims), CreatedAt: c.CreatedAt,
		UpdatedAt: c.UpdatedAt,
	}
}

func entraTenants(ts []model.EntraTenant) []EntraTenant {
	out := make([]EntraTenant, len(ts))
	for i, t := range ts {
		out[i] = EntraTenant{TenantID: t.ID, Domains: list(t.Domains)}
	}
	return out
}

// list makes a nil list [] in JSON: scripts should not have to handle null.
// It copies, so a view never shares a slice with the object it shows.
func list(l []string) []string { return append([]string{}, l...) }
