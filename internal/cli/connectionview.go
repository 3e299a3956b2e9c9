package cli

import (
	"context"
	"io"
	"strings"

	"github.com/guildgate/guildgate/internal/connections"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/views"
)

// connectionViewOf is conn as scripts read it (package views): never its
// client secret, only whether one is set.
func connectionViewOf(conn model.Connection, t model.Tenant, groupNames map[string]string) views.Connection {
	return views.ConnectionOf(conn, connections.CallbackURL(t.Issuer), groupNames)
}

func (c *call) printConnection(ctx context.Context, svc *connections.Service, t model.Tenant, asJSON bool, conn model.Connection) error {
	names, err := svc.GroupNames(ctx, t.ID)
	if err != nil {
		return err
	}
	v := connectionViewOf(conn, t, names)
	return c.emit(asJSON, v, func(w io.Writer) { connectionText(w, v) })
}

func connectionText(w io.Writer, v views.Connection) {
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
		"trust_email", v.TrustEmail, "issuer_mode", v.IssuerMode, "entra_tenants", entraText(v.EntraTenants),
		"auth_method", v.AuthMethod, "fetch_userinfo", v.FetchUserinfo, "show_button", v.ShowButton,
		"email_fallback_claims", join(v.EmailFallbackClaims), "created_at", stamp(v.CreatedAt), "updated_at", stamp(v.UpdatedAt))
}

// entraText writes the tenants in --entra-tenants' form.
func entraText(ts []views.EntraTenant) string {
	m := make([]model.EntraTenant, len(ts))
	for i, t := range ts {
		m[i] = model.EntraTenant{ID: t.TenantID, Domains: t.Domains}
	}
	return connections.FormatEntraTenants(m, ",")
}

func join(l []string) string { return strings.Join(l, ", ") }
