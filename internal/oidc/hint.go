package oidc

import (
	"context"
	"errors"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/tokens"
)

// verifyIDTokenHint checks an id_token_hint (authorize and logout) against
// the client it names, as registered: its ID-token algorithm, and for an
// HS256 client its secrets (tokens.VerifyIDTokenHint). storeErr is a
// storage failure met on the way, which is ours to answer (500), not a bad
// hint.
func (p *Provider) verifyIDTokenHint(ctx context.Context, t model.Tenant, raw string) (hint tokens.IDTokenClaims, storeErr, err error) {
	keep := func(err error) error {
		if err != nil && !errors.Is(err, model.ErrNotFound) {
			storeErr = err
		}
		return err
	}
	hint, err = p.Tokens.VerifyIDTokenHint(ctx, t, raw, tokens.HintClient{
		Lookup: func(id string) (model.Client, error) {
			c, err := p.Clients.Lookup(ctx, t.ID, id)
			return c, keep(err)
		},
		Secrets: func(id string) ([][]byte, error) {
			s, err := p.Clients.VerificationSecrets(ctx, t.ID, id)
			return s, keep(err)
		},
	})
	return hint, storeErr, err
}
