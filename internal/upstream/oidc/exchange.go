package oidc

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/outbound"
	"github.com/guildgate/guildgate/internal/upstream"
)

// Exchange redeems the code with the PKCE verifier, verifies the ID token
// and, when configured or when claims are missing, reads userinfo.
func (k *Connector) Exchange(ctx context.Context, code string, req upstream.AuthRequest) (upstream.Claims, error) {
	cfg := k.oauth
	cfg.RedirectURL = req.RedirectURI
	tok, err := cfg.Exchange(context.WithValue(ctx, oauth2.HTTPClient, k.out.For(outbound.Token)), code,
		oauth2.VerifierOption(req.CodeVerifier))
	if err != nil {
		return upstream.Claims{}, tokenError(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return upstream.Claims{}, upstream.Errorf(upstream.Invalid, "token response has no id_token")
	}
	claims, err := k.verify(ctx, raw, req.Nonce)
	if err != nil {
		return upstream.Claims{}, err
	}
	if k.md.UserinfoURL != "" && (k.conn.FetchUserinfo || upstream.Missing(claims, k.conn.Claims)) {
		if err := k.addUserinfo(ctx, tok, claims); err != nil {
			return upstream.Claims{}, err
		}
	}
	c := upstream.MapClaims(claims, k.conn.Claims, k.conn.EmailFallbackClaims)
	c.IDToken = raw
	if k.conn.IssuerMode == model.IssuerEntraMultiTenant {
		c.Tenant, _ = claims["tid"].(string) // the ID token's, checked in verify: its own claims win over userinfo's
	}
	return c, nil
}

// verify checks the ID token: signature, audience and expiry (go-oidc),
// then what go-oidc leaves to its caller.
func (k *Connector) verify(ctx context.Context, raw, nonce string) (map[string]any, error) {
	tok, err := k.verifier.Verify(ctx, raw)
	if err != nil {
		return nil, upstream.Errorf(upstream.Invalid, "id token: %w", err)
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		return nil, upstream.Errorf(upstream.Invalid, "id token claims: %w", err)
	}
	if k.conn.IssuerMode == model.IssuerEntraMultiTenant {
		if err := k.checkEntraIssuer(tok.Issuer, claims); err != nil {
			return nil, upstream.Errorf(upstream.Invalid, "id token: %w", err)
		}
	}
	now := k.now()
	switch {
	case nonce == "" || tok.Nonce != nonce:
		return nil, upstream.Errorf(upstream.Invalid, "id token: nonce missing or not ours")
	case tok.Subject == "":
		return nil, upstream.Errorf(upstream.Invalid, "id token: no sub")
	case tok.IssuedAt.After(now.Add(k.skew)):
		return nil, upstream.Errorf(upstream.Invalid, "id token: issued in the future (%s)", tok.IssuedAt)
	case tok.Expiry.Before(now.Add(-k.skew)):
		return nil, upstream.Errorf(upstream.Invalid, "id token: expired at %s", tok.Expiry)
	}
	// OpenID Connect Core §3.1.3.7: with several audiences, azp must be us.
	if azp, _ := claims["azp"].(string); len(tok.Audience) > 1 && azp != k.conn.ClientID {
		return nil, upstream.Errorf(upstream.Invalid, "id token: several audiences and azp %q is not ours", azp)
	}
	return claims, nil
}

// checkEntraIssuer accepts iss only as the multi-tenant template filled
// with the token's own tid, and only for an allowed tid: any Entra tenant
// in the world can sign tokens for a multi-tenant app.
func (k *Connector) checkEntraIssuer(iss string, claims map[string]any) error {
	tid, _ := claims["tid"].(string)
	if _, ok := k.conn.EntraTenant(tid); tid == "" || !ok {
		return errors.New("tenant id (tid) is not on the connection's allow-list")
	}
	template := k.md.Issuer
	if !strings.Contains(template, tenantPlaceholder) {
		template = entraTemplate
	}
	if iss != strings.Replace(template, tenantPlaceholder, tid, 1) {
		return errors.New("issuer does not match the tenant id")
	}
	return nil
}

// addUserinfo fills claims the ID token lacked from userinfo; the ID
// token's own claims win. Userinfo must be about the same subject (Core
// §5.3.2), or someone else's profile could be grafted onto this sign-in.
func (k *Connector) addUserinfo(ctx context.Context, tok *oauth2.Token, claims map[string]any) error {
	ui, err := k.provider.UserInfo(gooidc.ClientContext(ctx, k.out.For(outbound.Userinfo)), oauth2.StaticTokenSource(tok))
	if err != nil {
		return upstream.Errorf(kindOfNetwork(err, upstream.Invalid), "userinfo: %w", err)
	}
	if ui.Subject != claims["sub"] {
		return upstream.Errorf(upstream.Invalid, "userinfo is about another subject")
	}
	var extra map[string]any
	if err := ui.Claims(&extra); err != nil {
		return upstream.Errorf(upstream.Invalid, "userinfo claims: %w", err)
	}
	for name, v := range extra {
		if _, ok := claims[name]; !ok {
			claims[name] = v
		}
	}
	return nil
}

// tokenError sorts a failed code exchange: the provider's invalid_client
// means the secret or method is wrong; other OAuth errors (invalid_grant: a
// stale or forged code) are invalid input; no answer is unavailability.
func tokenError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.ErrorCode == "invalid_client" || re.ErrorCode == "unauthorized_client" {
			return upstream.Errorf(upstream.Misconfigured, "token endpoint: %s", re.ErrorCode)
		}
		if re.Response != nil && re.Response.StatusCode >= 500 {
			return upstream.Errorf(upstream.Unavailable, "token endpoint: %s", re.Response.Status)
		}
		return upstream.Errorf(upstream.Invalid, "token endpoint: %s", re.ErrorCode)
	}
	return upstream.Errorf(kindOfNetwork(err, upstream.Invalid), "token endpoint: %w", err)
}

// kindOfNetwork is Unavailable for timeouts and connection failures, else k;
// an address or redirect the outbound policy refuses is Misconfigured: it
// will not change by trying again.
func kindOfNetwork(err error, k upstream.Kind) upstream.Kind {
	var ne net.Error
	var ue *url.Error
	if _, refused := errors.AsType[*outbound.RefusedError](err); refused {
		return upstream.Misconfigured
	}
	if errors.As(err, &ne) || errors.As(err, &ue) || errors.Is(err, context.DeadlineExceeded) {
		return upstream.Unavailable
	}
	return k
}

// endSessionURL adds the RP-Initiated Logout 1.0 parameters to endpoint,
// keeping any query it has.
func endSessionURL(endpoint, clientID, hint, postLogout, state string) string {
	u, _ := url.Parse(endpoint) // checked by CheckEndpoint
	q := u.Query()
	for k, v := range map[string]string{"client_id": clientID, "id_token_hint": hint,
		"post_logout_redirect_uri": postLogout, "state": state} {
		if v != "" {
			q.Set(k, v)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}
