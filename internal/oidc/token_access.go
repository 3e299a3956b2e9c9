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
		return at, p.notRevoked(ctx, t, claims.JTI)
	}
	at.holder, err = p.memberAccess(ctx, t, c, claims)
	return at, err
}

// notRevoked checks a client's own token against the revocation list.
func (p *Provider) notRevoked(ctx context.Context, t model.Tenant, jti string) error {
	revoked, err := p.Revocations.IsRevoked(ctx, t.ID, jti)
	switch {
	case err != nil:
		return fmt.Errorf("check revocation: %w", err)
	case revoked:
		return notLive("access token %s revoked", jti)
	}
	return nil
}

// memberAccess is grantInForce for a member's access token, with its jti's
// revocation, in one read of the store (store.Grants.TokenAccess, Access
// in the columns used here): what userinfo and introspection pay on every
// call. The groups are read when the token's scopes (within the grant's) or
// the client need them, which is all the holder's groups serve here.
func (p *Provider) memberAccess(ctx context.Context, t model.Tenant, c model.Client, claims tokens.AccessClaims) (holder, error) {
	withGroups := needsGroups(c, claims.Scopes)
	a, err := p.Grants.TokenAccess(ctx, t.ID, claims.GrantID, claims.JTI, withGroups)
	switch {
	case errors.Is(err, model.ErrNotFound):
		return holder{}, notLive("grant %s or its member not found", claims.GrantID)
	case err != nil:
		return holder{}, fmt.Errorf("read grant: %w", err)
	case a.Revoked:
		return holder{}, notLive("access token %s revoked", claims.JTI)
	case a.GrantRevoked:
		return holder{}, notLive("grant %s revoked", claims.GrantID)
	case !strings.EqualFold(a.ClientID, c.ID):
		return holder{}, notLive("grant %s belongs to client %s", claims.GrantID, a.ClientID)
	case !strings.EqualFold(a.Member.ID, claims.Subject):
		return holder{}, notLive("token subject differs from its grant's member")
	}
	return admit(c, a.Member, a.Groups, withGroups)
}
