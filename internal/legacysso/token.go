package legacysso

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/guildgate/guildgate/internal/auditlog"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/tokens"
)

// tokenParam is the query parameter the JWT travels in.
const tokenParam = "token"

// scopes are what the legacy JWT carries: PRODUCT.md gives it "the claims
// above", every user claim, since the legacy contract has no scopes.
var scopes = []string{oauth.ScopeProfile, oauth.ScopeEmail, oauth.ScopeGroups}

// redirect mints the token, records it, and sends the browser back to the
// partner with it.
func (h *Handler) redirect(w http.ResponseWriter, r *http.Request, t model.Tenant, req request, m model.Member) error {
	tok, err := h.mint(r.Context(), t, req.client, m)
	if err != nil {
		return httpx.Internal(err)
	}
	if err := h.audit(r, t, req.client, m, tok); err != nil {
		return httpx.Internal(err)
	}
	loc, err := withToken(req.redirectURI, tok)
	if err != nil {
		return httpx.Internal(err)
	}
	w.Header().Set("Location", loc)
	w.WriteHeader(http.StatusFound)
	return nil
}

// mint signs the member's claims with the client's newest secret (during a
// rotation overlap the partner is expected to accept both).
func (h *Handler) mint(ctx context.Context, t model.Tenant, c model.Client, m model.Member) (string, error) {
	groups, err := h.Groups.ListForMember(ctx, t.ID, m.ID)
	if err != nil {
		return "", fmt.Errorf("groups of member %s: %w", m.ID, err)
	}
	secret, err := h.Clients.SigningSecret(ctx, c)
	if err != nil {
		return "", fmt.Errorf("signing secret of client %s: %w", c.ID, err)
	}
	tok, err := h.Tokens.LegacyJWT(t, c, secret, tokens.Claims(m, groups, scopes, true))
	if err != nil {
		return "", fmt.Errorf("mint legacy JWT for client %s: %w", c.ID, err)
	}
	return tok, nil
}

// audit records who received a token for which client, by its jti; never the
// token itself. Unlike the sign-in audit it is not best-effort: a legacy JWT
// cannot be revoked, so the audit log is its only record, and a token that
// could not be recorded is not handed out.
func (h *Handler) audit(r *http.Request, t model.Tenant, c model.Client, m model.Member, tok string) error {
	jti, err := jtiOf(tok)
	if err != nil {
		return err
	}
	return auditlog.Record(r.Context(), h.Audit, model.AuditEvent{
		TenantID: t.ID, At: h.Now().UTC(), Actor: "member:" + m.ID, Action: "legacysso.token",
		Target: "client:" + c.ID, IP: httpx.ClientIP(r, h.TrustedProxies),
		Detail: map[string]string{"client_id": c.ID, "member_id": m.ID, "jti": jti},
	})
}

// jtiOf reads the jti of a token just minted here (so not verified again).
func jtiOf(tok string) (string, error) {
	jti, err := oauth.UnverifiedClaim(tok, "jti")
	if err != nil {
		return "", fmt.Errorf("legacysso: minted token: %w", err)
	}
	return jti, nil
}

// withToken adds token=tok to uri's query. The registered query is kept
// byte for byte (not decoded and re-encoded, which could reorder or
// re-spell it); the token is appended, escaped. Registered URIs have no
// fragment (oauth.ValidateRedirectURI refuses one), so none is carried.
func withToken(uri, tok string) (string, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return "", fmt.Errorf("parse redirect URI: %w", err)
	}
	pair := tokenParam + "=" + url.QueryEscape(tok)
	switch {
	case u.RawQuery == "":
		u.RawQuery = pair
	case strings.HasSuffix(u.RawQuery, "&"):
		u.RawQuery += pair
	default:
		u.RawQuery += "&" + pair
	}
	u.ForceQuery = false
	return u.String(), nil
}
