package oidc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
)

// introspect answers RFC 7662 token introspection for a confidential
// client about its own tokens. Anything else (unknown, expired, revoked,
// malformed, or another client's token) is {"active": false} and nothing
// more, so the endpoint cannot be used to probe which tokens exist.
func (p *Provider) introspect(w http.ResponseWriter, r *http.Request) error {
	req, token, err := p.tokenQuery(r, false)
	if err != nil {
		return err
	}
	var resp map[string]any
	if looksLikeJWT(token) {
		resp, err = p.introspectAccess(r.Context(), req, token)
	} else {
		resp, err = p.introspectRefresh(r.Context(), req, token)
	}
	if err != nil {
		return oauth.ServerError(err)
	}
	_ = oauth.WriteTokenJSON(w, resp)
	return nil
}

var inactive = map[string]any{"active": false}

// looksLikeJWT: access tokens are compact JWS (three dot-separated parts);
// refresh tokens are base64url and contain no dot.
func looksLikeJWT(token string) bool { return strings.Count(token, ".") == 2 }

func (p *Provider) introspectAccess(ctx context.Context, req tokenRequest, token string) (map[string]any, error) {
	at, err := p.checkAccessToken(ctx, req.tenant, token)
	switch {
	case errors.Is(err, errNotLive):
		return inactive, nil
	case err != nil:
		return nil, err
	case !strings.EqualFold(at.claims.ClientID, req.client.ID):
		return inactive, nil
	}
	c := at.claims
	resp := map[string]any{
		"active": true, "client_id": c.ClientID, "sub": c.Subject, "exp": c.Expiry.Unix(), "iat": c.IssuedAt.Unix(),
		"iss": c.Issuer, "aud": c.Audience, "token_type": "Bearer", "jti": c.JTI,
	}
	if c.JKT != "" { // RFC 9449 §6.2: a resource server checks the proof against it
		resp["token_type"], resp["cnf"] = "DPoP", map[string]string{"jkt": c.JKT}
	}
	putScope(resp, c.Scopes)
	return resp, nil
}

func (p *Provider) introspectRefresh(ctx context.Context, req tokenRequest, token string) (map[string]any, error) {
	rt, err := p.RefreshTokens.Get(ctx, req.tenant.ID, stampedHash(token))
	switch {
	case errors.Is(err, model.ErrNotFound):
		return inactive, nil
	case err != nil:
		return nil, fmt.Errorf("get refresh token: %w", err)
	case !strings.EqualFold(rt.ClientID, req.client.ID) || !rt.UsedAt.IsZero() || !p.Now().Before(rt.ExpiresAt):
		return inactive, nil
	}
	_, _, err = p.grantInForce(ctx, p.own(), req.tenant, req.client, rt.GrantID)
	switch {
	case errors.Is(err, errNotLive):
		return inactive, nil
	case err != nil:
		return nil, err
	}
	resp := map[string]any{
		"active": true, "client_id": req.client.ID, "sub": rt.MemberID, "exp": rt.ExpiresAt.Unix(),
		"iat": rt.CreatedAt.Unix(), "iss": req.tenant.Issuer, "token_type": "refresh_token",
	}
	putScope(resp, rt.Scopes)
	return resp, nil
}

func putScope(resp map[string]any, scopes []string) {
	if len(scopes) > 0 {
		resp["scope"] = strings.Join(scopes, " ")
	}
}
