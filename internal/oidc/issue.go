package oidc

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/signinpolicy"
	"github.com/guildgate/guildgate/internal/tokens"
)

// issued is what one authorization hands a relying party.
type issued struct {
	AccessToken string
	ExpiresIn   int64
	IDToken     string
	Refresh     string
	Scope       string
	Bound       bool // the access token is DPoP-bound (token_type DPoP)
}

// issueAccessToken mints an access token for the grant.
// jkt, when set, binds it to that DPoP key.
func (p *Provider) issueAccessToken(ctx context.Context, t model.Tenant, g model.Grant, jkt string) (string, int64, error) {
	tok, _, exp, err := p.Tokens.AccessToken(ctx, tokens.AccessTokenParams{
		Tenant: t, ClientID: g.ClientID, MemberID: g.MemberID, Scopes: g.Scopes,
		AuthTime: g.AuthTime, GrantID: g.ID, SessionID: g.SessionID, JKT: jkt,
	})
	if err != nil {
		return "", 0, fmt.Errorf("mint access token: %w", err)
	}
	return tok, int64(exp.Sub(p.Now()).Round(time.Second) / time.Second), nil
}

// idTokenRequest is what an ID token needs beyond the grant.
type idTokenRequest struct {
	Nonce       string
	AccessToken string // for at_hash, when issued alongside
	Code        string // for c_hash, when issued alongside
}

// issueIDToken mints an ID token for the grant's member.
// The claims come from tokens.Claims, like userinfo's and the legacy JWT's,
// so they always agree.
func (p *Provider) issueIDToken(ctx context.Context, t model.Tenant, c model.Client, h holder, g model.Grant, req idTokenRequest) (string, error) {
	claims := tokens.Claims(h.member, h.groups, g.Scopes, c.GroupsClaim)
	var secret []byte
	if c.IDTokenAlg == model.AlgHS256 {
		var err error
		if secret, err = p.Clients.SigningSecret(ctx, c); err != nil {
			return "", fmt.Errorf("client signing secret: %w", err)
		}
	}
	tok, err := p.Tokens.IDToken(ctx, tokens.IDTokenParams{
		Tenant: t, Client: c, ClientSecret: secret, Claims: claims, Nonce: req.Nonce,
		AuthTime: g.AuthTime, SessionID: g.SessionID, AccessToken: req.AccessToken, Code: req.Code,
		AMR: g.AMR, ACR: signinpolicy.ACR(g.AMR),
	})
	if err != nil {
		return "", fmt.Errorf("mint id token: %w", err)
	}
	return tok, nil
}

// hasScope reports whether the grant holds scope s.
func hasScope(g model.Grant, s string) bool { return slices.Contains(g.Scopes, s) }
