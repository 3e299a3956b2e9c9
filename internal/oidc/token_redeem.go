package oidc

import (
	"context"
	"errors"
	"fmt"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/store"
)

// redemption is what the transaction of a code exchange or a refresh
// decided: the grant (with the scopes to sign for) and member to mint
// tokens for and the refresh token it stored; or the refusal to answer
// with, which commits too, so a spent code stays spent and a revoked family
// stays revoked, unless undo asks to roll back what the transaction did.
type redemption struct {
	grant   model.Grant
	holder  holder
	nonce   string
	refresh string
	refusal error
	undo    bool
}

func refused(err error) (redemption, error) { return redemption{refusal: err}, nil }

// refusedUndone refuses and rolls the transaction back: a refresh token
// used before its checks (RefreshTokens.UseAccess) and refused by them
// stays unused.
func refusedUndone(err error) (redemption, error) {
	return redemption{refusal: err, undo: true}, nil
}

// errUndone rolls back the transaction of a refusal that asked for it.
var errUndone = errors.New("refusal rolled back")

// refusedUnlessFault refuses a grant no longer in force and fails the
// transaction on anything else (a store fault), which then rolls back.
func refusedUnlessFault(err error) (redemption, error) {
	if errors.Is(err, errNotLive) {
		return refused(liveGrantError(err))
	}
	return redemption{}, err
}

// redeem runs decide in one transaction and, once it has committed, signs
// the tokens it decided on. decide reads and writes through tx only: on
// PostgreSQL a request that held its transaction's connection while asking
// the pool for another could, with enough such requests at once, leave the
// pool empty and every one of them waiting; on SQLite the transaction holds
// the write lock, which a second connection would wait for.
func (p *Provider) redeem(ctx context.Context, req tokenRequest, decide func(context.Context, store.Tx) (redemption, error)) (issued, error) {
	var red redemption
	err := p.Atomic(ctx, func(tx store.Tx) error {
		var err error
		red, err = decide(ctx, tx)
		if err == nil && red.undo {
			return errUndone
		}
		return err
	})
	switch {
	case errors.Is(err, errUndone):
		return issued{}, red.refusal
	case err != nil:
		return issued{}, oauth.ServerError(err)
	case red.refusal != nil:
		return issued{}, red.refusal
	}
	is, err := p.mintTokens(ctx, req.tenant, req.client, red.grant, red.holder, red.nonce, req.dpop.JKT)
	if err != nil {
		return issued{}, err
	}
	is.Refresh = red.refresh
	return is, nil
}

// settle ends the transaction of a redemption that yields tokens: it
// stores the refresh token of red's grant, for refreshScopes (nil: none),
// and the audit row of the issuance.
func (p *Provider) settle(ctx context.Context, tx store.Tx, req tokenRequest, red redemption, refreshScopes []string, grantType string) (redemption, error) {
	g := red.grant
	if refreshScopes != nil {
		var err error
		if red.refresh, err = p.issueRefresh(ctx, tx, g, refreshScopes, refreshKey(req.client, req.dpop.JKT)); err != nil {
			return redemption{}, err
		}
	}
	return red, p.auditToken(ctx, tx, req, grantType, g.MemberID, g.ID)
}

// revokeFamily revokes a grant, and with it every token issued under it,
// and records why, in tx.
func (p *Provider) revokeFamily(ctx context.Context, tx store.Tx, req tokenRequest, grantID, reason string) error {
	err := tx.Grants().Revoke(ctx, req.tenant.ID, grantID, p.Now())
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return fmt.Errorf("revoke grant %s (%s): %w", grantID, reason, err)
	}
	return p.auditGrantRevoked(ctx, tx, req.tenant, req.client.ID, grantID, reason)
}
