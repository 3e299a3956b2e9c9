package oidc

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/tokens"
)

// liveAccess is an access token in force, with the client it was issued to
// and, unless it came from client_credentials, its member.
type liveAccess struct {
	claims tokens.AccessClaims
	client model.Client
	holder holder // zero for a client's own token
}

// checkAccessToken decides whether an access token is in force, the one
// rule userinfo and introspection share: a valid signature, issuer,
// audience, type and lifetime (tokens.VerifyAccessToken), a jti not revoked,
// a client that still exists, and for a member's token a grant not revoked
// whose member may still use the client. Errors wrap errNotLive unless the
// store failed.
func (p *Provider) checkAccessToken(ctx context.Context, t model.Tenant, raw string) (liveAccess, error) {
	claims, err := p.Tokens.VerifyAccessToken(ctx, t, raw)
	if err != nil {
		return liveAccess{}, notLive("%v", err)
	}
	revoked, err := p.Revocations.IsRevoked(ctx, t.ID, claims.JTI)
	switch {
	case err != nil:
		return liveAccess{}, fmt.Errorf("check revocation: %w", err)
	case revoked:
		return liveAccess{}, notLive("access token %s revoked", claims.JTI)
	}
	c, err := p.Clients.Lookup(ctx, t.ID, claims.ClientID)
	switch {
	case errors.Is(err, model.ErrNotFound):
		return liveAccess{}, notLive("client %s deleted", claims.ClientID)
	case err != nil:
		return liveAccess{}, fmt.Errorf("look up client: %w", err)
	}
	at := liveAccess{claims: claims, client: c}
	if claims.GrantID == "" {
		if claims.Subject != claims.ClientID { // every member's token names its grant
			return liveAccess{}, notLive("member token without a grant")
		}
		return at, nil
	}
	g, h, err := p.grantInForce(ctx, p.own(), t, c, claims.GrantID)
	switch {
	case err != nil:
		return liveAccess{}, err
	case g.MemberID == "" || !strings.EqualFold(g.MemberID, claims.Subject):
		return liveAccess{}, notLive("token subject differs from its grant's member")
	}
	at.holder = h
	return at, nil
}
