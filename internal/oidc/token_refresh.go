package oidc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/store"
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
// One transaction uses the token, checks it, stores its successor and the
// audit row; the tokens are signed after it commits. The token is marked
// used as it is read, with its grant and member (UseAccess: one statement,
// where a refresh pays a round trip for each on PostgreSQL), and a refusal
// by the checks that follow rolls the transaction back, so a request that
// fails for a passing reason (or another client holding it) does not burn
// it; the atomic use still decides who wins a race.
func (p *Provider) refresh(r *http.Request, req tokenRequest) (issued, error) {
	value, err := req.param("refresh_token")
	if err != nil {
		return issued{}, err
	}
	requested, err := oauth.ParseScope(req.form.Get("scope"))
	if err != nil {
		return issued{}, err
	}
	if err := refreshBinding(value, req.dpop); err != nil {
		return issued{}, err
	}
	return p.redeem(r.Context(), req, func(ctx context.Context, tx store.Tx) (redemption, error) {
		return p.rotateRefresh(ctx, tx, req, stampedHash(value), requested)
	})
}

// rotateRefresh is the transaction of a refresh.
func (p *Provider) rotateRefresh(ctx context.Context, tx store.Tx, req tokenRequest, hash string, requested oauth.Scopes) (redemption, error) {
	clientNeedsGroups := needsGroups(req.client, nil)
	u, first, err := tx.RefreshTokens().UseAccess(ctx, req.tenant.ID, hash, p.Now(), clientNeedsGroups)
	rt := u.Token
	switch {
	case errors.Is(err, model.ErrNotFound):
		return refused(oauth.InvalidGrant(refreshInvalid).WithCause(errors.New("unknown refresh token")))
	case err != nil:
		return redemption{}, fmt.Errorf("use refresh token: %w", err)
	case !strings.EqualFold(rt.ClientID, req.client.ID):
		// Not a reuse of ours: another client holds it. Refuse without
		// revoking, so presenting someone's token cannot cut their session.
		return refusedUndone(oauth.InvalidGrant(refreshInvalid).WithCause(fmt.Errorf("refresh token of client %s", rt.ClientID)))
	case !first: // used before, or by a request that won the race: a reuse
		return p.refreshReused(ctx, tx, req, rt)
	case !p.Now().Before(rt.ExpiresAt):
		return refusedUndone(oauth.InvalidGrant(refreshInvalid).WithCause(errors.New("refresh token expired")))
	}
	scopes, err := narrowScopes(rt.Scopes, requested)
	if err != nil {
		return refusedUndone(err)
	}
	access, accessErr := redeemed(u.Access)
	g, h, err := p.accessInForce(ctx, tx, req.tenant, req.client, rt.GrantID, access, accessErr, clientNeedsGroups)
	switch {
	case errors.Is(err, errNotLive):
		return refusedUndone(liveGrantError(err))
	case err != nil:
		return redemption{}, err
	}
	// The new refresh token keeps the full original scopes (RFC 6749 §6);
	// the access and ID tokens get the narrowed ones.
	red, err := p.settle(ctx, tx, req, redemption{grant: g, holder: h}, rt.Scopes, model.GrantRefreshToken)
	red.grant.Scopes = scopes
	return red, err
}

// refreshReused revokes the token's whole family: its grant, and with it
// every refresh and access token issued under it.
func (p *Provider) refreshReused(ctx context.Context, tx store.Tx, req tokenRequest, rt model.RefreshToken) (redemption, error) {
	if err := p.revokeFamily(ctx, tx, req, rt.GrantID, "refresh token reused"); err != nil {
		return redemption{}, err
	}
	return refused(oauth.InvalidGrant(refreshInvalid).WithCause(fmt.Errorf("refresh token reused; grant %s revoked", rt.GrantID)))
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
