package tokens

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/keys"
	"github.com/guildgate/guildgate/internal/model"
)

// AccessTokenParams is what an access token grants.
type AccessTokenParams struct {
	Tenant   model.Tenant
	ClientID string
	// MemberID is the member the token acts for; empty for
	// client_credentials, where the client acts for itself.
	MemberID  string
	Scopes    []string
	AuthTime  time.Time // the member's; ignored without a member
	GrantID   string    // lets introspection and userinfo refuse a revoked grant
	SessionID string
	// JKT binds the token to a DPoP key (RFC 9449 §6.1): its thumbprint,
	// carried as cnf.jkt; empty for a bearer token.
	JKT string
}

// AccessClaims are a verified access token's claims.
type AccessClaims struct {
	Issuer    string
	Subject   string
	Audience  string
	ClientID  string
	Scopes    []string
	JTI       string
	IssuedAt  time.Time
	Expiry    time.Time
	AuthTime  time.Time // zero for client_credentials
	GrantID   string
	SessionID string
	JKT       string // the DPoP key the token is bound to; empty for a bearer token
}

// accessWire is an access token's payload (RFC 9068 §2.2). A struct, not a
// map, because access tokens are minted on every grant and decoded on every
// userinfo call.
type accessWire struct {
	Iss      string `json:"iss"`
	Sub      string `json:"sub"`
	Aud      string `json:"aud"`
	Exp      int64  `json:"exp"`
	Iat      int64  `json:"iat"`
	Jti      string `json:"jti"`
	ClientID string `json:"client_id"`
	Scope    string `json:"scope,omitempty"`
	AuthTime int64  `json:"auth_time,omitempty"`
	// gid and sid are private claims: the grant (and browser session) the
	// token came from, so revoking either revokes the token.
	GrantID   string `json:"gid,omitempty"`
	SessionID string `json:"sid,omitempty"`
	Cnf       *cnf   `json:"cnf,omitempty"`
}

// cnf is the confirmation claim (RFC 7800) of a DPoP-bound token.
type cnf struct {
	JKT string `json:"jkt"`
}

// AccessToken mints an RFC 9068 JWT access token (header `typ: at+jwt`). The
// audience is the tenant's issuer because the only resource that accepts
// our access tokens is our own userinfo endpoint (and introspection), which
// lives at the issuer.
func (i *Issuer) AccessToken(ctx context.Context, p AccessTokenParams) (token, jti string, exp time.Time, err error) {
	if p.ClientID == "" || p.Tenant.Issuer == "" {
		return "", "", time.Time{}, errors.New("tokens: an access token needs a client and an issuer")
	}
	alg := orDefault(i.AccessTokenAlg, DefaultAccessTokenAlg)
	if alg == model.AlgHS256 {
		return "", "", time.Time{}, errors.New("tokens: access tokens cannot be HS256")
	}
	now := i.now()
	exp = now.Add(orDefault(i.AccessTokenTTL, DefaultAccessTokenTTL))
	w := accessWire{
		Iss: p.Tenant.Issuer, Sub: p.ClientID, Aud: p.Tenant.Issuer, Exp: exp.Unix(), Iat: now.Unix(),
		Jti: ids.NewToken(16), ClientID: p.ClientID, Scope: strings.Join(p.Scopes, " "),
		GrantID: p.GrantID, SessionID: p.SessionID,
	}
	if p.JKT != "" {
		w.Cnf = &cnf{JKT: p.JKT}
	}
	if p.MemberID != "" {
		w.Sub = p.MemberID
		if !p.AuthTime.IsZero() {
			w.AuthTime = p.AuthTime.Unix()
		}
	}
	token, err = i.sign(ctx, p.Tenant.ID, alg, keys.TypeAccessToken, nil, w)
	return token, w.Jti, time.Unix(w.Exp, 0).UTC(), err
}

// clockSkew is how far replicas' clocks may disagree: a token counts as
// expired this long after its exp, and as from the future this long before
// its iat.
const clockSkew = 5 * time.Second

// VerifyAccessToken checks one of our access tokens for tenant: a signature
// by one of the tenant's published keys with an algorithm we sign with
// (never none or HS*), `typ` at+jwt, our issuer and audience, and an
// unexpired lifetime. It does not check revocation; the caller looks up
// GrantID and JTI. Errors are for logs: callers answer invalid_token.
func (i *Issuer) VerifyAccessToken(ctx context.Context, tenant model.Tenant, token string) (AccessClaims, error) {
	w, err := i.verifiedAccess(ctx, tenant, token)
	if err != nil {
		return AccessClaims{}, err
	}
	now := i.now()
	switch {
	case w.Iss != tenant.Issuer || w.Aud != tenant.Issuer:
		return AccessClaims{}, errors.New("tokens: access token is for another issuer or audience")
	case w.Sub == "" || w.ClientID == "" || w.Jti == "" || w.Exp == 0 || w.Iat == 0:
		return AccessClaims{}, errors.New("tokens: access token lacks sub, client_id, jti, exp or iat")
	case !now.Before(time.Unix(w.Exp, 0).Add(clockSkew)):
		return AccessClaims{}, fmt.Errorf("tokens: access token expired at %s", time.Unix(w.Exp, 0).UTC().Format(time.RFC3339))
	case now.Add(clockSkew).Before(time.Unix(w.Iat, 0)):
		return AccessClaims{}, errors.New("tokens: access token issued in the future")
	}
	return w.claims(), nil
}

// verifiedAccess returns the claims of token once its signature checked
// out, from the verified-token cache when this exact token was verified
// for this tenant before by a key the tenant still publishes: a client
// calling userinfo with one token many times costs one signature check.
// The claim checks (issuer, lifetime) run on every call all the same.
func (i *Issuer) verifiedAccess(ctx context.Context, tenant model.Tenant, token string) (accessWire, error) {
	if w, kid, ok := i.verified.get(tenant.ID, token); ok {
		if _, err := i.Keys.PublicKey(ctx, tenant.ID, kid); err == nil {
			return w, nil
		}
	}
	payload, h, err := i.verifyAsymmetric(ctx, tenant, token, isAccessTokenType)
	if err != nil {
		return accessWire{}, err
	}
	var w accessWire
	if err := decodeClaims(payload, &w); err != nil {
		return accessWire{}, err
	}
	i.verified.put(tenant.ID, token, w, h.KeyID)
	return w, nil
}

func (w accessWire) claims() AccessClaims {
	c := AccessClaims{
		Issuer: w.Iss, Subject: w.Sub, Audience: w.Aud, ClientID: w.ClientID, Scopes: strings.Fields(w.Scope),
		JTI: w.Jti, IssuedAt: time.Unix(w.Iat, 0).UTC(), Expiry: time.Unix(w.Exp, 0).UTC(), GrantID: w.GrantID, SessionID: w.SessionID,
	}
	if w.AuthTime != 0 {
		c.AuthTime = time.Unix(w.AuthTime, 0).UTC()
	}
	if w.Cnf != nil {
		c.JKT = w.Cnf.JKT
	}
	return c
}

// isAccessTokenType accepts RFC 9068 §4's two spellings, case-insensitively
// as media types are.
func isAccessTokenType(typ string) bool {
	return strings.EqualFold(typ, keys.TypeAccessToken) || strings.EqualFold(typ, "application/"+keys.TypeAccessToken)
}
