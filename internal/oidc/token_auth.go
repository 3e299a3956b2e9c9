package oidc

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
)

// clientAuthFailed is all a client learns about a failed authentication;
// which check failed (unknown id, wrong secret, …) goes to the log only.
const clientAuthFailed = "Client authentication failed."

// authenticateClient identifies the calling client (RFC 6749 §2.3) for the
// token, revocation and introspection endpoints. A confidential client must
// prove its secret (client_secret_basic or client_secret_post); a public
// client may name itself with client_id alone ("none") where allowPublic
// says so; a client registered for private_key_jwt must send a signed
// assertion instead (token_assertion.go). Any failure is invalid_client
// (401 with a Basic challenge).
func (p *Provider) authenticateClient(r *http.Request, t model.Tenant, allowPublic bool) (model.Client, string, error) {
	id, secret, method, err := oauth.ClientCredentials(r)
	if err != nil {
		return model.Client{}, "", err
	}
	switch method {
	case oauth.AuthMethodNone:
		c, err := p.publicClient(r, t, id, allowPublic)
		return c, method, err
	case oauth.AuthMethodPrivateKeyJWT:
		c, err := p.assertionClient(r, t, id, secret)
		return c, method, err
	}
	c, err := p.Clients.Authenticate(r.Context(), t.ID, id, secret)
	switch {
	case errors.Is(err, clients.ErrInvalidClient):
		return model.Client{}, "", oauth.InvalidClient(clientAuthFailed).WithCause(err)
	case err != nil:
		return model.Client{}, "", oauth.ServerError(fmt.Errorf("authenticate client: %w", err))
	case c.TokenAuthMethod == model.AuthPrivateKeyJWT:
		// Its secret stays valid for HS256, but no longer proves the client.
		return model.Client{}, "", oauth.InvalidClient(clientAuthFailed).
			WithCause(errors.New("client is registered for private_key_jwt and sent its secret"))
	}
	return c, method, nil
}

// publicClient accepts a client that sent only its client_id, which is
// proof of nothing: it is allowed only for clients registered as public
// (whose grants then demand PKCE), never for one that has a secret.
func (p *Provider) publicClient(r *http.Request, t model.Tenant, id string, allowPublic bool) (model.Client, error) {
	if !allowPublic {
		return model.Client{}, oauth.InvalidClient("This endpoint requires client authentication with the client secret.")
	}
	c, err := p.Clients.Lookup(r.Context(), t.ID, id)
	switch {
	case errors.Is(err, model.ErrNotFound):
		return model.Client{}, oauth.InvalidClient(clientAuthFailed).WithCause(errors.New("unknown client"))
	case err != nil:
		return model.Client{}, oauth.ServerError(fmt.Errorf("look up client: %w", err))
	case !c.Public:
		return model.Client{}, oauth.InvalidClient(clientAuthFailed).
			WithCause(errors.New("confidential client sent no secret"))
	}
	return c, nil
}
