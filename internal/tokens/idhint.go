package tokens

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/guildgate/guildgate/internal/keys"
	"github.com/guildgate/guildgate/internal/model"
)

// IDTokenClaims are what an id_token_hint tells: whom it was about, for
// which client, in which session, and when it expired.
type IDTokenClaims struct {
	Issuer    string
	Subject   string
	ClientID  string // the single audience
	SessionID string
	IssuedAt  time.Time
	Expiry    time.Time
	AuthTime  time.Time
	Algorithm string
}

type idWire struct {
	Iss      string   `json:"iss"`
	Sub      string   `json:"sub"`
	Aud      audience `json:"aud"`
	Exp      int64    `json:"exp"`
	Iat      int64    `json:"iat"`
	AuthTime int64    `json:"auth_time"`
	Sid      string   `json:"sid"`
	Azp      string   `json:"azp"`
}

// audience decodes `aud` in either of its JSON forms (RFC 7519 §4.1.3).
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte("[")) {
		return json.Unmarshal(b, (*[]string)(a))
	}
	var s string
	err := json.Unmarshal(b, &s)
	*a = audience{s}
	return err
}

// hintAlgs are the algorithms an ID token of ours can carry.
var hintAlgs = append([]jose.SignatureAlgorithm{jose.HS256}, asymmetric...)

// HintClient tells VerifyIDTokenHint about the client a hint's aud names.
// Lookup returns the client as registered (an error for an unknown one):
// its ID-token algorithm is the only one a hint may carry. Secrets is called
// only for an HS256 client and returns every secret still valid during a
// rotation overlap.
type HintClient struct {
	Lookup  func(clientID string) (model.Client, error)
	Secrets func(clientID string) ([][]byte, error)
}

// VerifyIDTokenHint checks an id_token_hint (authorize, RP-initiated
// logout): it must be an ID token (`typ: JWT`, `azp` its single `aud`) we
// issued for tenant to the client it names, signed with that client's
// ID-token algorithm: by one of the tenant's published keys, retired ones
// included, or, for an HS256 client only, with one of its secrets. A legacy
// /sso/auth JWT (its own typ, no azp) or a token signed with another
// algorithm than the client's is refused, so an HS256 token cannot stand in
// for an RS256 client's hint. Expiry is deliberately not enforced:
// RP-Initiated Logout 1.0 §2 accepts expired hints, so the caller decides
// with Expiry.
func (i *Issuer) VerifyIDTokenHint(ctx context.Context, tenant model.Tenant, token string, hc HintClient) (IDTokenClaims, error) {
	jws, h, err := parse(token, hintAlgs, isJWTType)
	if err != nil {
		return IDTokenClaims{}, err
	}
	clientID, err := unverifiedAudience(jws)
	if err != nil {
		return IDTokenClaims{}, err
	}
	payload, err := i.verifyHint(ctx, tenant, jws, h, clientID, hc)
	if err != nil {
		return IDTokenClaims{}, err
	}
	var w idWire
	if err := decodeClaims(payload, &w); err != nil {
		return IDTokenClaims{}, err
	}
	if w.Iss != tenant.Issuer || w.Sub == "" || len(w.Aud) != 1 || w.Aud[0] != clientID || w.Azp != clientID {
		return IDTokenClaims{}, errors.New("tokens: ID token hint is for another issuer, or lacks sub, a single aud or a matching azp")
	}
	c := IDTokenClaims{
		Issuer: w.Iss, Subject: w.Sub, ClientID: w.Aud[0], SessionID: w.Sid, Algorithm: h.Algorithm,
		IssuedAt: time.Unix(w.Iat, 0).UTC(), Expiry: time.Unix(w.Exp, 0).UTC(),
	}
	if w.AuthTime != 0 {
		c.AuthTime = time.Unix(w.AuthTime, 0).UTC()
	}
	return c, nil
}

// verifyHint checks the signature the way the named client's ID tokens are
// signed, and no other way.
func (i *Issuer) verifyHint(ctx context.Context, tenant model.Tenant, jws *jose.JSONWebSignature, h jose.Header,
	clientID string, hc HintClient) ([]byte, error) {
	if hc.Lookup == nil {
		return nil, errors.New("tokens: no client lookup for ID token hints")
	}
	c, err := hc.Lookup(clientID)
	if err != nil {
		return nil, fmt.Errorf("tokens: ID token hint names client %q: %w", clientID, err)
	}
	if alg := idTokenAlg(c); h.Algorithm != alg {
		return nil, fmt.Errorf("tokens: ID token hint is %s, but client %s's ID tokens are %s", h.Algorithm, c.ID, alg)
	}
	if h.Algorithm != string(jose.HS256) {
		payload, _, err := i.verifyWithKid(ctx, tenant, jws, h)
		return payload, err
	}
	if hc.Secrets == nil {
		return nil, errors.New("tokens: HS256 tokens are not accepted here")
	}
	secrets, err := hc.Secrets(clientID)
	if err != nil {
		return nil, err
	}
	return verifyHMAC(jws, secrets)
}

func isJWTType(typ string) bool { return strings.EqualFold(typ, keys.TypeJWT) }

// unverifiedAudience reads the single aud of a token not yet verified: it
// only says which client's algorithm and keys the verification must use,
// and the verified payload must then name the same client.
func unverifiedAudience(jws *jose.JSONWebSignature) (string, error) {
	var unverified struct {
		Aud audience `json:"aud"`
	}
	if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &unverified); err != nil || len(unverified.Aud) != 1 || unverified.Aud[0] == "" {
		return "", errors.New("tokens: an ID token hint needs a single aud naming its client")
	}
	return unverified.Aud[0], nil
}

// verifyHMAC checks an HS256 token against a client's secrets; once one
// verifies, the payload is authentic.
func verifyHMAC(jws *jose.JSONWebSignature, secrets [][]byte) ([]byte, error) {
	for _, s := range secrets {
		if len(s) < minSecret {
			continue
		}
		if payload, err := jws.Verify(s); err == nil {
			return payload, nil
		}
	}
	return nil, errors.New("tokens: HS256 signature does not match the client's secret")
}
