package oidc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
)

// Request objects (RFC 9101): an authorization request as a JWT the client
// signs, with its registered keys or HS256 with its secret. Its parameters
// replace the request's own; only client_id must agree.

// Bounds on a request object's claims, beyond the size clientkeys allows.
const (
	requestObjectMaxLife = time.Hour       // exp − nbf (or iat) at most
	requestObjectSkew    = 5 * time.Second // tolerated clock difference
)

// requestObjectClaims are the JWT claims that frame a request object and are
// not authorization parameters (RFC 9101 §4).
var requestObjectClaims = map[string]bool{"iss": true, "aud": true, "exp": true, "nbf": true, "iat": true, "jti": true, "sub": true}

// requestObjectType accepts RFC 9101 §10.8's typ, a plain JWT or none.
func requestObjectType(typ string) bool {
	return typ == "" || strings.EqualFold(typ, "JWT") || strings.EqualFold(typ, "oauth-authz-req+jwt")
}

// verifyRequestObject checks raw, signed by client c for tenant t, as of
// the moment at (when the request was first seen), and returns its
// parameters.
func (p *Provider) verifyRequestObject(ctx context.Context, t model.Tenant, c model.Client, raw string, at time.Time) (url.Values, error) {
	var hmacKeys [][]byte
	if !c.Public {
		ks, err := p.Clients.VerificationSecrets(ctx, t.ID, c.ID)
		if err != nil && !errors.Is(err, model.ErrNotFound) {
			return nil, oauth.ServerError(fmt.Errorf("client secrets: %w", err))
		}
		hmacKeys = ks
	}
	payload, _, err := p.ClientKeys.Verify(ctx, c, raw, hmacKeys, requestObjectType)
	if err != nil {
		return nil, oauth.InvalidRequestObject("The request object is not signed by this client's registered key or secret " +
			"(alg none and unsupported algorithms are refused).").WithCause(err)
	}
	claims, err := decodeRequestObject(payload)
	if err != nil {
		return nil, oauth.InvalidRequestObject("The request object's claims cannot be read.").WithCause(err)
	}
	if err := checkRequestObject(claims, t.Issuer, c.ID, at); err != nil {
		return nil, err
	}
	return requestObjectParams(claims)
}

// decodeRequestObject reads the claims, numbers kept as written.
func decodeRequestObject(payload []byte) (map[string]json.RawMessage, error) {
	var claims map[string]json.RawMessage
	d := json.NewDecoder(bytes.NewReader(payload))
	if err := d.Decode(&claims); err != nil {
		return nil, err
	}
	if claims == nil {
		return nil, errors.New("the payload is not a JSON object")
	}
	return claims, nil
}

// checkRequestObject applies RFC 9101 §4 and §6.3 as FAPI 2.0 profiles them:
// issued by the client, for this issuer, with a bounded lifetime that has
// not run out.
func checkRequestObject(claims map[string]json.RawMessage, issuer, clientID string, at time.Time) error {
	var f struct {
		Iss      string          `json:"iss"`
		ClientID string          `json:"client_id"`
		Aud      json.RawMessage `json:"aud"`
		Exp      *float64        `json:"exp"`
		Nbf      *float64        `json:"nbf"`
		Iat      *float64        `json:"iat"`
	}
	if err := remarshal(claims, &f); err != nil {
		return oauth.InvalidRequestObject("The request object's iss, aud, client_id, exp, nbf or iat has the wrong type.").WithCause(err)
	}
	switch {
	case !strings.EqualFold(f.ClientID, clientID):
		return oauth.InvalidRequestObject("The request object's client_id must be the client's own.")
	case f.Iss != "" && !strings.EqualFold(f.Iss, clientID):
		return oauth.InvalidRequestObject("The request object's iss must be the client_id.")
	case !audienceHas(f.Aud, issuer):
		return oauth.InvalidRequestObject("The request object's aud must be this issuer, " + issuer + ".")
	case f.Exp == nil:
		return oauth.InvalidRequestObject("The request object must carry exp.")
	}
	exp := unixTime(*f.Exp)
	if !at.Before(exp.Add(requestObjectSkew)) {
		return oauth.InvalidRequestObject("The request object has expired.")
	}
	start := at
	for _, v := range []*float64{f.Nbf, f.Iat} {
		if v != nil {
			start = unixTime(*v)
			break
		}
	}
	switch {
	case f.Nbf != nil && at.Add(requestObjectSkew).Before(unixTime(*f.Nbf)):
		return oauth.InvalidRequestObject("The request object is not valid yet (nbf).")
	case exp.Sub(start) > requestObjectMaxLife:
		return oauth.InvalidRequestObject("The request object may live at most an hour (exp − nbf).")
	}
	return nil
}

func remarshal(claims map[string]json.RawMessage, v any) error {
	b, err := json.Marshal(claims)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func unixTime(s float64) time.Time {
	return time.Unix(0, 0).Add(time.Duration(s * float64(time.Second))).UTC()
}

// audienceHas accepts aud as one string or an array of strings.
func audienceHas(raw json.RawMessage, want string) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one == want
	}
	var many []string
	if json.Unmarshal(raw, &many) != nil {
		return false
	}
	for _, a := range many {
		if a == want {
			return true
		}
	}
	return false
}

// requestObjectParams turns the claims into authorization parameters:
// strings as they are, numbers as written (max_age), objects and arrays
// as their JSON (claims). A request object never nests another
// (RFC 9101 §4), nor a sign-in marker, which only this server writes.
func requestObjectParams(claims map[string]json.RawMessage) (url.Values, error) {
	v := url.Values{}
	for k, raw := range claims {
		if requestObjectClaims[k] {
			continue
		}
		switch k {
		case "request", "request_uri", authResumeParam:
			return nil, oauth.InvalidRequestObject("The request object must not carry " + k + ".")
		}
		var s string
		switch {
		case json.Unmarshal(raw, &s) == nil:
		case len(raw) > 0 && (raw[0] == '{' || raw[0] == '[' || raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9')):
			var b bytes.Buffer
			if err := json.Compact(&b, raw); err != nil {
				return nil, oauth.InvalidRequestObject("The request object's " + k + " is not valid JSON.")
			}
			s = b.String()
		default:
			return nil, oauth.InvalidRequestObject("The request object's " + k + " must be a string, a number or an object.")
		}
		v.Set(k, s)
	}
	return v, nil
}
