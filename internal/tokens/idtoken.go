package tokens

import (
	"context"
	"errors"
	"maps"
	"time"

	"github.com/guildgate/guildgate/internal/keys"
	"github.com/guildgate/guildgate/internal/model"
)

// IDTokenParams is what an ID token states. Claims are the user claims from
// Claims; the registered claims below always override any of the same name.
type IDTokenParams struct {
	Tenant model.Tenant
	Client model.Client
	// ClientSecret keys HS256 ID tokens; unused for other algorithms.
	ClientSecret []byte
	Claims       map[string]any
	Nonce        string    // echoed when the authorization request sent one
	AuthTime     time.Time // when the member last authenticated
	SessionID    string    // the `sid` that back-channel logout refers to
	AccessToken  string    // issued alongside, for at_hash
	Code         string    // issued alongside, for c_hash
	AMR          []string  // RFC 8176 authentication methods
	ACR          string    // the authentication context class met; "" for none
}

// IDToken mints an ID token (OIDC Core 2) signed with the client's chosen
// algorithm, header `typ: JWT`.
func (i *Issuer) IDToken(ctx context.Context, p IDTokenParams) (string, error) {
	sub, _ := p.Claims["sub"].(string)
	if sub == "" || p.Client.ID == "" || p.Tenant.Issuer == "" {
		return "", errors.New("tokens: an ID token needs a subject, a client and an issuer")
	}
	alg, now := idTokenAlg(p.Client), i.now()
	var hashes [2]string // at_hash, c_hash
	for n, v := range [...]string{p.AccessToken, p.Code} {
		if v == "" {
			continue
		}
		h, err := halfHash(alg, v)
		if err != nil {
			return "", err
		}
		hashes[n] = h
	}
	var claims any = idPayload{p: &p, iat: now.Unix(), exp: now.Add(orDefault(i.IDTokenTTL, DefaultIDTokenTTL)).Unix(),
		atHash: hashes[0], cHash: hashes[1]}
	if !plainClaims(p.Claims) {
		claims = claims.(idPayload).claimsMap()
	}
	return i.sign(ctx, p.Tenant.ID, alg, keys.TypeJWT, p.ClientSecret, claims)
}

// idPayload is an ID token's claims: p's user claims and the registered
// claims, which override any user claim of the same name; optional ones
// appear only when p supplies them.
type idPayload struct {
	p             *IDTokenParams
	iat, exp      int64
	atHash, cHash string
}

// claimsMap is the payload as one map (json.Marshal writes it as
// appendJSON does, idtoken_json.go), for user claims that are not all
// plainClaims.
func (w idPayload) claimsMap() map[string]any {
	p := w.p
	c := maps.Clone(p.Claims)
	for _, name := range optionalClaims {
		delete(c, name) // only ever what this request itself supplies
	}
	c["iss"], c["aud"], c["azp"] = p.Tenant.Issuer, p.Client.ID, p.Client.ID
	c["iat"], c["exp"] = w.iat, w.exp
	optional(c, "nonce", p.Nonce)
	optional(c, "sid", p.SessionID)
	if !p.AuthTime.IsZero() {
		c["auth_time"] = p.AuthTime.Unix()
	}
	if len(p.AMR) > 0 {
		c["amr"] = p.AMR
	}
	optional(c, "acr", p.ACR)
	optional(c, "at_hash", w.atHash)
	optional(c, "c_hash", w.cHash)
	return c
}

// optionalClaims are registered claims an ID token carries only when the
// request supplies them.
var optionalClaims = [...]string{"nonce", "sid", "auth_time", "amr", "acr", "at_hash", "c_hash"}

func optional(c map[string]any, name, v string) {
	if v != "" {
		c[name] = v
	}
}
