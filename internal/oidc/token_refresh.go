package oidc

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
)

// refreshInvalid is the one description for a refresh token that cannot be
// used; the reason is logged.
const refreshInvalid = "The refresh token is invalid, expired or revoked."

// refresh redeems a refresh token (RFC 6749 §6, OpenID Connect Core §12)
// and rotates it: each token works once and its successor joins the same
// family (grant). Presenting a token that was already rotated means two
// parties hold it, so the whole family is revoked (OAuth 2.0 Security BCP
// §4.14.2). Everything authorization checked is checked again, because a
// family may live for weeks: the grant, the member, their permitted groups.
//
// The token is read first and marked used only after those checks, so a
// request that fails for a passing reason (or another client holding it)
// does not burn it; the atomic Use still decides who wins a race.
func (p *Provider) refresh(r *http.Request, req tokenRequest) (issued, error) {
	ctx := r.Context()
	value := req.form.Get("refresh_token")
	if value == "" {
		return issued{}, oauth.InvalidRequest("refresh_token is required.")
	}
	requested, err := oauth.ParseScope(req.form.Get("scope"))
	if err != nil {
		return issued{}, err
	}
	if err := refreshBinding(value, req.dpop); err != nil {
		return issued{}, err
	}
	rt, err := p.usableRefresh(r, req, ids.Hash(value))
	if err != nil {
		return issued{}, err
	}
	scopes, err := narrowScopes(rt.Scopes, requested)
	if err != nil {
		return issued{}, err
	}
	g, m, err := p.liveGrant(ctx, req.tenant, req.client, rt.GrantID)
	if err != nil {
		return issued{}, err
	}
	if err := p.useRefresh(r, req, rt); err != nil {
		return issued{}, err
	}
	g.Scopes = scopes // the new refresh token keeps the full original scopes (RFC 6749 §6)
	is, err := p.issueTokens(ctx, req.tenant, req.client, g, m, "", rt.Scopes, req.dpop.JKT)
	if err != nil {
		return issued{}, err
	}
	p.auditToken(r, req, model.GrantRefreshToken, g.MemberID, g.ID)
	return is, nil
}

// usableRefresh finds the refresh token and checks it belongs to the client,
// has not been rotated already and has not expired.
func (p *Provider) usableRefresh(r *http.Request, req tokenRequest, hash string) (model.RefreshToken, error) {
	rt, err := p.Store.RefreshTokens().Get(r.Context(), req.tenant.ID, hash)
	switch {
	case errors.Is(err, model.ErrNotFound):
		return rt, oauth.InvalidGrant(refreshInvalid).WithCause(errors.New("unknown refresh token"))
	case err != nil:
		return rt, oauth.ServerError(fmt.Errorf("get refresh token: %w", err))
	case !strings.EqualFold(rt.ClientID, req.client.ID):
		// Not a reuse of ours: another client holds it. Refuse without
		// revoking, so presenting someone's token cannot cut their session.
		return rt, oauth.InvalidGrant(refreshInvalid).WithCause(fmt.Errorf("refresh token of client %s", rt.ClientID))
	case !rt.UsedAt.IsZero():
		return rt, p.refreshReused(r, req, rt)
	case !p.Now().Before(rt.ExpiresAt):
		return rt, oauth.InvalidGrant(refreshInvalid).WithCause(errors.New("refresh token expired"))
	}
	return rt, nil
}

// useRefresh marks the token used, atomically; losing a race to another
// request with the same token is a reuse like any other.
func (p *Provider) useRefresh(r *http.Request, req tokenRequest, rt model.RefreshToken) error {
	_, first, err := p.Store.RefreshTokens().Use(r.Context(), req.tenant.ID, rt.Hash, p.Now())
	switch {
	case errors.Is(err, model.ErrNotFound): // its grant was deleted meanwhile
		return oauth.InvalidGrant(refreshInvalid).WithCause(err)
	case err != nil:
		return oauth.ServerError(fmt.Errorf("use refresh token: %w", err))
	case !first:
		return p.refreshReused(r, req, rt)
	}
	return nil
}

// refreshReused revokes the token's whole family: its grant, and with it
// every refresh and access token issued under it.
func (p *Provider) refreshReused(r *http.Request, req tokenRequest, rt model.RefreshToken) error {
	err := p.Store.Grants().Revoke(r.Context(), req.tenant.ID, rt.GrantID, p.Now())
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return oauth.ServerError(fmt.Errorf("revoke grant of a reused refresh token: %w", err))
	}
	p.auditGrantRevoked(r, req.tenant, req.client.ID, rt.GrantID, "refresh token reused")
	return oauth.InvalidGrant(refreshInvalid).WithCause(fmt.Errorf("refresh token reused; grant %s revoked", rt.GrantID))
}

// narrowScopes applies a refresh request's scope: omitted means everything
// originally granted; otherwise it may only name granted scopes (RFC 6749
// §6), and the result keeps the client's order.
func narrowScopes(granted []string, requested oauth.Scopes) ([]string, error) {
	if len(requested) == 0 {
		return granted, nil
	}
	for _, s := range requested {
		if !slices.Contains(granted, s) {
			return nil, oauth.InvalidScope("scope may only narrow the original grant; " + s + " was not granted.")
		}
	}
	return []string(requested), nil
}
