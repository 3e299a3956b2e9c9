package oidc

import (
	"errors"
	"net/http"
	"slices"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
)

// clientCredentials issues an access token to a confidential client acting
// for itself (RFC 6749 §4.4): sub is the client id. No member is involved,
// so there is no ID token, no refresh token (§4.4.3) and no grant record:
// the token is a stateless JWT, revocable by its jti, and the client can
// simply ask again. That keeps this, the hottest grant, free of writes
// beyond the audit record.
func (p *Provider) clientCredentials(r *http.Request, req tokenRequest) (issued, error) {
	if req.client.Public || req.method == oauth.AuthMethodNone {
		return issued{}, oauth.UnauthorizedClient("client_credentials needs a confidential client.")
	}
	scopes, err := clientScopes(req.form.Get("scope"))
	if err != nil {
		return issued{}, err
	}
	g := model.Grant{TenantID: req.tenant.ID, ClientID: req.client.ID, Scopes: scopes}
	at, expiresIn, err := p.issueAccessToken(r.Context(), req.tenant, g, req.dpop.JKT)
	if err != nil {
		return issued{}, oauth.ServerError(err)
	}
	// Nothing is stored for this token but its audit row: when that
	// cannot be written the token is not handed out.
	if err := p.auditToken(r.Context(), p.own(), req, model.GrantClientCredentials, "", ""); err != nil {
		return issued{}, oauth.ServerError(err)
	}
	return issued{AccessToken: at, ExpiresIn: expiresIn, Scope: oauth.Scopes(scopes).String(), Bound: req.dpop.JKT != ""}, nil
}

// clientScopes checks a client_credentials scope. openid and
// offline_access speak of a member signing in, which this grant has none
// of; anything we do not support is refused like everywhere else.
func clientScopes(raw string) ([]string, error) {
	scopes, err := oauth.ParseScope(raw)
	if err != nil {
		return nil, err
	}
	for _, s := range scopes {
		switch {
		case s == oauth.ScopeOpenID || s == oauth.ScopeOfflineAccess:
			return nil, oauth.InvalidScope(s + " cannot be requested with client_credentials: no member signs in.")
		case !slices.Contains(Supported.Scopes, s):
			return nil, oauth.InvalidScope("scope " + s + " is not supported.").WithCause(errors.New("unknown scope"))
		}
	}
	return scopes, nil
}
