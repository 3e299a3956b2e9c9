package cli

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/connections"
	"github.com/guildgate/guildgate/internal/federation"
	"github.com/guildgate/guildgate/internal/model"
)

// connectionView fixes the JSON names scripts read. The client secret is
// never printed, sealed or not: only whether one is set.
type connectionView struct {
	ID                  string             `json:"id"`
	Name                string             `json:"name"`
	Ready               bool               `json:"ready"`
	CallbackURL         string             `json:"callback_url"`
	DiscoveryURL        string             `json:"discovery_url"`
	Issuer              string             `json:"issuer"`
	AuthorizationURL    string             `json:"authorization_url"`
	TokenURL            string             `json:"token_url"`
	JWKSURL             string             `json:"jwks_url"`
	UserinfoURL         string             `json:"userinfo_url"`
	ClientID            string             `json:"client_id"`
	ClientSecretSet     bool               `json:"client_secret_set"`
	Scopes              []string           `json:"scopes"`
	Domains             []string           `json:"domains"`
	Claims              model.ClaimMapping `json:"claims"`
	GroupMap            []groupMapView     `json:"group_map"`
	JIT                 bool               `json:"jit"`
	JITStatus           string             `json:"jit_status"`
	TrustEmail          bool               `json:"trust_email"`
	IssuerMode          string             `json:"issuer_mode"`
	AllowedTenantIDs    []string           `json:"allowed_tenant_ids"`
	AuthMethod          string             `json:"auth_method"`
	FetchUserinfo       bool               `json:"fetch_userinfo"`
	ShowButton          bool               `json:"show_button"`
	EmailFallbackClaims []string           `json:"email_fallback_claims"`
	CreatedAt           time.Time          `json:"created_at"`
	UpdatedAt           time.Time          `json:"updated_at"`
}

type groupMapView struct {
	Upstream string `json:"upstream"`
	Group    string `json:"group"`
}

func connectionViewOf(c model.Connection, t model.Tenant, groupNames map[string]string) connectionView {
	list := func(l []string) []string { return append([]string{}, l...) } // [] rather than null
	gm := []groupMapView{}
	for _, m := range c.GroupMap {
		gm = append(gm, groupMapView{Upstream: m.Upstream, Group: groupNames[m.GroupID]})
	}
	return connectionView{
		ID: c.ID, Name: c.Name, Ready: connections.Ready(c), CallbackURL: t.Issuer + federation.PathCallback,
		DiscoveryURL: c.DiscoveryURL, Issuer: c.Issuer, AuthorizationURL: c.AuthorizationURL, TokenURL: c.TokenURL,
		JWKSURL: c.JWKSURL, UserinfoURL: c.UserinfoURL, ClientID: c.ClientID, ClientSecretSet: c.ClientSecret != "",
		Scopes: list(c.Scopes), Domains: list(c.Domains), Claims: c.Claims, GroupMap: gm, JIT: c.JIT,
		JITStatus: string(c.JITStatus), TrustEmail: c.TrustEmail, IssuerMode: c.IssuerMode,
		AllowedTenantIDs: list(c.AllowedTenantIDs), AuthMethod: c.AuthMethod, FetchUserinfo: c.FetchUserinfo,
		ShowButton: c.ShowButton, EmailFallbackClaims: list(c.EmailFallbackClaims), CreatedAt: c.CreatedAt,
		UpdatedAt: c.UpdatedAt,
	}
}

func (c *call) printConnection(ctx context.Context, svc *connections.Service, t model.Tenant, asJSON bool, conn model.Connection) error {
	names, err := svc.GroupNames(ctx, t.ID)
	if err != nil {
		return err
	}
	v := connectionViewOf(conn, t, names)
	return c.emit(asJSON, v, v.text)
}

func (v connectionView) text(w io.Writer) {
	maps := make([]string, len(v.GroupMap))
	for i, m := range v.GroupMap {
		maps[i] = m.Upstream + "=" + m.Group
	}
	secret := "(not set)"
	if v.ClientSecretSet {
		secret = "(set, encrypted)"
	}
	fields(w, "id", v.ID, "name", v.Name, "ready", v.Ready, "callback_url", v.CallbackURL,
		"discovery_url", v.DiscoveryURL, "issuer", v.Issuer, "authorization_url", v.AuthorizationURL,
		"token_url", v.TokenURL, "jwks_url", v.JWKSURL, "userinfo_url", v.UserinfoURL, "client_id", v.ClientID,
		"client_secret", secret, "scopes", strings.Join(v.Scopes, " "), "domains", join(v.Domains),
		"groups_claim", v.Claims.Groups, "group_map", join(maps), "jit", v.JIT, "jit_status", v.JITStatus,
		"trust_email", v.TrustEmail, "issuer_mode", v.IssuerMode, "allowed_tenant_ids", join(v.AllowedTenantIDs),
		"auth_method", v.AuthMethod, "fetch_userinfo", v.FetchUserinfo, "show_button", v.ShowButton,
		"email_fallback_claims", join(v.EmailFallbackClaims), "created_at", stamp(v.CreatedAt), "updated_at", stamp(v.UpdatedAt))
}

func join(l []string) string { return strings.Join(l, ", ") }
