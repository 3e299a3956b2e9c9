package oidc

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/store"
)

// mountRevocation registers token revocation (RFC 7009) and introspection
// (RFC 7662). Both are called by relying parties' servers with client
// credentials, so neither carries browser CSRF protection. Revocation is
// also open to public clients (an app signing its member out) and readable
// cross-origin; introspection needs a confidential client.
func (p *Provider) mountRevocation(mux *http.ServeMux) {
	p.mountClientPOST(mux, PathRevoke, p.revoke)
	mux.Handle("POST "+PathIntrospect, p.jsonAPI(p.introspect))
}

// revocationMargin keeps a revoked jti on record past the token's exp for
// longer than verifiers' clock-skew allowance, so a sweep at exp cannot
// briefly revive it.
const revocationMargin = time.Minute

// revoke revokes one of the client's tokens. A refresh token takes its
// whole grant with it (every refresh and access token of the family, as
// RFC 7009 §2.1 suggests); an access token only itself. Unknown, invalid
// or another client's tokens are answered 200 like any other (§2.2): the
// client can do nothing about them, and nobody learns what exists.
func (p *Provider) revoke(w http.ResponseWriter, r *http.Request) error {
	req, token, err := p.tokenQuery(r, true)
	if err != nil {
		return err
	}
	if looksLikeJWT(token) {
		err = p.revokeAccess(r, req, token)
	} else {
		err = p.revokeRefresh(r, req, token)
	}
	if err != nil {
		return oauth.ServerError(err)
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	return nil
}

// tokenQuery reads a revocation or introspection request (RFC 7009 §2.1,
// RFC 7662 §2.1): the authenticated client and the token it asks about.
// token_type_hint only orders a search; our two kinds of token are told
// apart by shape (looksLikeJWT), so it is not read.
func (p *Provider) tokenQuery(r *http.Request, allowPublic bool) (tokenRequest, string, error) {
	req, err := p.clientRequest(r, allowPublic)
	if err != nil {
		return req, "", err
	}
	token, err := req.param("token")
	return req, token, err
}

func (p *Provider) revokeAccess(r *http.Request, req tokenRequest, token string) error {
	claims, err := p.Tokens.VerifyAccessToken(r.Context(), req.tenant, token)
	if err != nil || !strings.EqualFold(claims.ClientID, req.client.ID) {
		return nil // invalid or expired: nothing left to revoke; another's: not ours to touch
	}
	if err := p.Revocations.Revoke(r.Context(), req.tenant.ID, claims.JTI, claims.Expiry.Add(revocationMargin)); err != nil {
		return fmt.Errorf("revoke access token: %w", err)
	}
	p.audit(r, req.tenant, "client:"+req.client.ID, "oauth.token_revoke", "client:"+req.client.ID,
		map[string]string{"client_id": req.client.ID, "token_type": "access_token"})
	return nil
}

func (p *Provider) revokeRefresh(r *http.Request, req tokenRequest, token string) error {
	rt, err := p.RefreshTokens.Get(r.Context(), req.tenant.ID, stampedHash(token))
	switch {
	case errors.Is(err, model.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("get refresh token: %w", err)
	case !strings.EqualFold(rt.ClientID, req.client.ID):
		return nil
	}
	// The revocation and its audit row commit together.
	return p.Atomic(r.Context(), func(tx store.Tx) error {
		err := tx.Grants().Revoke(r.Context(), req.tenant.ID, rt.GrantID, p.Now())
		if err != nil && !errors.Is(err, model.ErrNotFound) {
			return fmt.Errorf("revoke grant: %w", err)
		}
		return p.auditGrantRevoked(r.Context(), tx, req.tenant, req.client.ID, rt.GrantID, "refresh token revoked by the client")
	})
}
