package oidc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/store"
)

// codeInvalid is the one description for a code that cannot be redeemed:
// unknown, used, expired or another client's are told apart only in the log,
// so a guesser learns nothing about which codes exist.
const codeInvalid = "The authorization code is invalid, expired or already used."

// exchangeCode redeems an authorization code (RFC 6749 §4.1.3, OpenID
// Connect Core §3.1.3.2). A malformed request is refused first, and spends
// nothing. Then one transaction consumes the code (one atomic statement, so
// two racing requests, or replicas, can never both redeem it), checks it
// and its grant, stores the refresh token and the audit row: all of them
// commit together, before the tokens are signed and answered, so a code or
// refresh token a client received is never lost, and none is stored
// without its audit row. A refused redemption commits too: the code stays
// spent, and a second use revokes the grant and with it everything the
// first use issued (RFC 6749 §4.1.2, PRODUCT.md).
func (p *Provider) exchangeCode(r *http.Request, req tokenRequest) (issued, error) {
	code, err := req.param("code")
	if err != nil {
		return issued{}, err
	}
	if v := req.form.Get("code_verifier"); v != "" {
		if err := oauth.ValidateVerifier(v); err != nil {
			return issued{}, err // malformed whatever the code says: refused before it is spent
		}
	}
	if err := codeBinding(code, req.dpop); err != nil {
		return issued{}, err // refused before it is spent: the holder of the key can still redeem it
	}
	return p.redeem(r.Context(), req, func(ctx context.Context, tx store.Tx) (redemption, error) {
		return p.redeemCode(ctx, tx, req, stampedHash(code))
	})
}

// redeemCode is the transaction of a code exchange.
func (p *Provider) redeemCode(ctx context.Context, tx store.Tx, req tokenRequest, hash string) (redemption, error) {
	// The code and, when this request consumed it, its grant and member
	// come in one read; a grant or member found missing is Access's
	// ErrNotFound, so every answer stays as the separate reads gave it.
	clientNeedsGroups := needsGroups(req.client, nil)
	ca, first, err := tx.AuthCodes().ConsumeAccess(ctx, req.tenant.ID, hash, p.Now(), clientNeedsGroups)
	ac := ca.Code
	switch {
	case errors.Is(err, model.ErrNotFound):
		return refused(oauth.InvalidGrant(codeInvalid).WithCause(errors.New("unknown code")))
	case err != nil:
		return redemption{}, err
	case !first:
		return p.codeReused(ctx, tx, req, ac)
	}
	if err := p.checkCode(req, ac); err != nil {
		return refused(err)
	}
	access, accessErr := redeemed(ca.Access)
	g, h, err := p.accessInForce(ctx, tx, req.tenant, req.client, ac.GrantID, access, accessErr, clientNeedsGroups)
	if errors.Is(err, errNotLive) && revokedByReuse(g, ac) {
		// This request consumed the code first, and the same code arrived
		// again while it was being redeemed (a racing request on another
		// replica: PostgreSQL lets it read between our statements), whose
		// reuse check revoked the grant. This is still the first use: it
		// answers, and what it issues is already dead with the grant —
		// exactly "revoke what the first use issued".
		h, err = p.memberAllowed(ctx, tx, req.tenant, req.client, g.MemberID, g.Scopes)
	}
	if err != nil {
		return refusedUnlessFault(err)
	}
	red := redemption{grant: g, holder: h, nonce: ac.Nonce}
	return p.settle(ctx, tx, req, red, wantsRefresh(req.client, g), model.GrantAuthorizationCode)
}

// revokedByReuse reports whether g was revoked after this redemption
// consumed its code: the reuse of that same code is what revokes a grant in
// that window. A revocation at or before the consumption (logout, an
// administrator) still fails the redemption. Replicas compare their own
// clocks here, so their skew must stay below a request's round trip (NTP
// keeps it to milliseconds).
func revokedByReuse(g model.Grant, ac model.AuthCode) bool {
	return g.RevokedAt.After(ac.ConsumedAt) && strings.EqualFold(g.ClientID, ac.ClientID)
}

// codeReused revokes the grant of a code presented a second time: either the
// first redemption or this one is an attacker's, and the tokens the first
// one obtained must stop working.
func (p *Provider) codeReused(ctx context.Context, tx store.Tx, req tokenRequest, ac model.AuthCode) (redemption, error) {
	if err := p.revokeFamily(ctx, tx, req, ac.GrantID, "authorization code reused"); err != nil {
		return redemption{}, err
	}
	return refused(oauth.InvalidGrant(codeInvalid).WithCause(fmt.Errorf("code reused; grant %s revoked", ac.GrantID)))
}

// checkCode applies the rules that bind a consumed code to this request:
// lifetime, client, redirect_uri and PKCE.
func (p *Provider) checkCode(req tokenRequest, ac model.AuthCode) error {
	now := p.Now()
	switch {
	case !now.Before(ac.ExpiresAt) || now.Sub(ac.CreatedAt) >= CodeTTL:
		return oauth.InvalidGrant(codeInvalid).WithCause(errors.New("code expired"))
	case !strings.EqualFold(ac.ClientID, req.client.ID):
		return oauth.InvalidGrant(codeInvalid).WithCause(fmt.Errorf("code was issued to client %s", ac.ClientID))
	}
	if err := checkCodeRedirect(req.client, ac, req.form); err != nil {
		return err
	}
	return checkCodeVerifier(req.client, ac, req.form.Get("code_verifier"))
}

// checkCodeRedirect: the token request must repeat the authorization
// request's redirect_uri exactly (RFC 6749 §4.1.3). Should a code ever be
// stored without one (the authorization request may omit it when a single
// URI is registered), a redirect_uri sent now must still be registered.
func checkCodeRedirect(c model.Client, ac model.AuthCode, form url.Values) error {
	got := form.Get("redirect_uri")
	sent := got != "" // RFC 6749 §3.1: an empty parameter is an omitted one
	switch {
	case ac.RedirectURI != "" && !sent:
		return oauth.InvalidRequest("redirect_uri is required: the authorization request sent one.")
	case ac.RedirectURI != "" && got != ac.RedirectURI:
		return oauth.InvalidGrant("redirect_uri does not match the one in the authorization request.")
	case ac.RedirectURI == "" && sent && !slices.Contains(c.RedirectURIs, got):
		return oauth.InvalidGrant("redirect_uri is not registered for this client.")
	}
	return nil
}

// checkCodeVerifier applies PKCE (RFC 7636 §4.6). A verifier sent for a code
// issued without a challenge is refused too: accepting it would let an
// attacker who stripped the challenge from the authorization request pass
// as a PKCE client (the downgrade OAuth 2.1 §4.1.3 forbids).
func checkCodeVerifier(c model.Client, ac model.AuthCode, verifier string) error {
	if ac.CodeChallenge == "" {
		switch {
		case c.Public:
			return oauth.InvalidGrant("A public client must use PKCE.")
		case verifier != "":
			return oauth.InvalidGrant("code_verifier was sent, but the authorization request had no code_challenge.")
		}
		return nil
	}
	if err := oauth.ValidateVerifier(verifier); err != nil {
		return err
	}
	if ac.CodeChallengeMethod != oauth.PKCEMethodS256 || !oauth.VerifyS256(verifier, ac.CodeChallenge) {
		return oauth.InvalidGrant("code_verifier does not match the code_challenge.")
	}
	return nil
}
