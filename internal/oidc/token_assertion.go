package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
)

// Client assertions (private_key_jwt, RFC 7523 §2.2 and §3): the client
// proves itself with a short-lived JWT signed by its registered key. Each
// assertion works once: its jti is remembered in AuthResumes until it
// expires, so one captured in transit or in a log cannot be replayed.

// Bounds on an assertion's claims.
const (
	assertionMaxLife = 10 * time.Minute // exp − iat at most, and how far ahead exp may be
	assertionMaxJTI  = 256
)

// assertionClaims are the claims RFC 7523 §3 requires.
type assertionClaims struct {
	Iss string          `json:"iss"`
	Sub string          `json:"sub"`
	Aud json.RawMessage `json:"aud"`
	Exp *float64        `json:"exp"`
	Iat *float64        `json:"iat"`
	Nbf *float64        `json:"nbf"`
	JTI string          `json:"jti"`
}

func assertionType(typ string) bool {
	return typ == "" || strings.EqualFold(typ, "JWT") || strings.EqualFold(typ, "client-authentication+jwt")
}

// assertionClient authenticates a client by its assertion. id is the body's
// client_id, if sent; the assertion's sub must name the same client. Every
// failure is invalid_client; which check failed goes to the log.
func (p *Provider) assertionClient(r *http.Request, t model.Tenant, id, assertion string) (model.Client, error) {
	sub, err := assertionSubject(assertion)
	if err != nil {
		return model.Client{}, oauth.InvalidClient(clientAuthFailed).WithCause(err)
	}
	if id == "" {
		id = sub
	}
	c, err := p.Clients.Lookup(r.Context(), t.ID, id)
	switch {
	case errors.Is(err, model.ErrNotFound):
		return model.Client{}, oauth.InvalidClient(clientAuthFailed).WithCause(errors.New("unknown client"))
	case err != nil:
		return model.Client{}, oauth.ServerError(fmt.Errorf("look up client: %w", err))
	case c.Public || c.TokenAuthMethod != model.AuthPrivateKeyJWT:
		return model.Client{}, oauth.InvalidClient(clientAuthFailed).
			WithCause(errors.New("client is not registered for private_key_jwt"))
	}
	payload, _, err := p.ClientKeys.Verify(r.Context(), c, assertion, nil, assertionType)
	if err != nil {
		return model.Client{}, oauth.InvalidClient(clientAuthFailed).WithCause(err)
	}
	var claims assertionClaims
	if err := json.Unmarshal(payload, &claims); err != nil {
		return model.Client{}, oauth.InvalidClient(clientAuthFailed).WithCause(fmt.Errorf("assertion claims: %w", err))
	}
	exp, err := checkAssertion(claims, c.ID, assertionAudiences(t, r), p.Now())
	if err != nil {
		return model.Client{}, oauth.InvalidClient(clientAuthFailed).WithCause(err)
	}
	return c, p.spendAssertion(r.Context(), t, c, claims.JTI, exp)
}

// assertionSubject reads sub from the unverified payload, only to find the
// client whose key then verifies it.
func assertionSubject(assertion string) (string, error) {
	sub, err := oauth.UnverifiedClaim(assertion, "sub")
	if err != nil {
		return "", fmt.Errorf("assertion: %w", err)
	}
	return sub, nil
}

// assertionAudiences are the values aud may hold: the issuer (RFC 7523 as
// FAPI 2.0 reads it), the token endpoint (OIDC Core §9), or the endpoint
// being called (PAR, revocation, introspection).
func assertionAudiences(t model.Tenant, r *http.Request) []string {
	return []string{t.Issuer, t.Issuer + PathToken, t.Issuer + r.URL.Path}
}

// checkAssertion applies RFC 7523 §3 and returns when the assertion expires.
func checkAssertion(c assertionClaims, clientID string, audiences []string, now time.Time) (time.Time, error) {
	aud := false
	for _, a := range audiences {
		aud = aud || audienceHas(c.Aud, a)
	}
	switch {
	case !strings.EqualFold(c.Iss, clientID) || !strings.EqualFold(c.Sub, clientID):
		return time.Time{}, errors.New("assertion iss and sub must both be the client_id")
	case !aud:
		return time.Time{}, errors.New("assertion aud names neither the issuer nor this endpoint")
	case c.Exp == nil:
		return time.Time{}, errors.New("assertion has no exp")
	case c.JTI == "" || len(c.JTI) > assertionMaxJTI:
		return time.Time{}, errors.New("assertion jti is missing or too long")
	}
	exp := unixTime(*c.Exp)
	switch {
	case !now.Before(exp.Add(requestObjectSkew)):
		return time.Time{}, errors.New("assertion has expired")
	case exp.Sub(now) > assertionMaxLife:
		return time.Time{}, errors.New("assertion expires too far ahead (at most 10 minutes)")
	case c.Nbf != nil && now.Add(requestObjectSkew).Before(unixTime(*c.Nbf)):
		return time.Time{}, errors.New("assertion is not valid yet (nbf)")
	case c.Iat != nil && now.Add(requestObjectSkew).Before(unixTime(*c.Iat)):
		return time.Time{}, errors.New("assertion was issued in the future (iat)")
	}
	return exp, nil
}

// spendAssertion remembers the assertion's jti until it expires; a second
// use is invalid_client.
func (p *Provider) spendAssertion(ctx context.Context, t model.Tenant, c model.Client, jti string, exp time.Time) error {
	first, err := p.AuthResumes.Use(ctx, t.ID, "jwt:"+ids.Hash(c.ID+"\x00"+jti), exp.Add(requestObjectSkew))
	switch {
	case err != nil:
		return oauth.ServerError(fmt.Errorf("remember assertion jti: %w", err))
	case !first:
		return oauth.InvalidClient(clientAuthFailed).WithCause(errors.New("assertion jti was used already (replay)"))
	}
	return nil
}
