package tokens

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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

// VerifyIDTokenHint checks an id_token_hint (authorize, RP-initiated
// logout): it must be an ID token (`typ: JWT`) we issued for tenant, signed
// by one of the tenant's published keys, retired ones included, or by
// HS256 with a secret of the client named in its `aud`. secretsFor returns
// that client's secrets, every one still valid during a rotation overlap,
// and an error for an unknown client. Expiry is deliberately not enforced:
// RP-Initiated Logout 1.0 §2 accepts expired hints, so the caller decides
// with Expiry.
func (i *Issuer) VerifyIDTokenHint(ctx context.Context, tenant model.Tenant, token string,
	secretsFor func(clientID string) ([][]byte, error)) (IDTokenClaims, error) {
	jws, h, err := parse(token, hintAlgs, isJWTType)
	if err != nil {
		return IDTokenClaims{}, err
	}
	var payload []byte
	if h.Algorithm == string(jose.HS256) {
		payload, err = verifyHMAC(jws, secretsFor)
	} else {
		payload, _, err = i.verifyWithKid(ctx, tenant, jws, h)
	}
	if err != nil {
		return IDTokenClaims{}, err
	}
	var w idWire
	if err := decodeClaims(payload, &w); err != nil {
		return IDTokenClaims{}, err
	}
	if w.Iss != tenant.Issuer || w.Sub == "" || len(w.Aud) != 1 || w.Aud[0] == "" {
		return IDTokenClaims{}, errors.New("tokens: ID token hint is for another issuer, or lacks sub or a single aud")
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

func isJWTType(typ string) bool { return strings.EqualFold(typ, keys.TypeJWT) }

// verifyHMAC checks an HS256 token against the secrets of the client its
// (so far unverified) aud names; once a secret verifies, aud is authentic.
func verifyHMAC(jws *jose.JSONWebSignature, secretsFor func(string) ([][]byte, error)) ([]byte, error) {
	var unverified struct {
		Aud audience `json:"aud"`
	}
	if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &unverified); err != nil || len(unverified.Aud) != 1 || unverified.Aud[0] == "" {
		return nil, errors.New("tokens: HS256 token needs a single aud naming its client")
	}
	if secretsFor == nil {
		return nil, errors.New("tokens: HS256 tokens are not accepted here")
	}
	secrets, err := secretsFor(unverified.Aud[0])
	if err != nil {
		return nil, err
	}
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
