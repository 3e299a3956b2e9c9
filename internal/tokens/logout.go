package tokens

import (
	"context"
	"errors"
	"maps"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/keys"
	"github.com/guildgate/guildgate/internal/model"
)

// Lifetimes of the tokens a relying party must use at once.
const (
	// LogoutTokenTTL is short: a logout token is POSTed straight to the
	// client, and one replayed later must not sign anyone out again.
	LogoutTokenTTL = 2 * time.Minute
	// LegacyJWTTTL is PRODUCT.md's five minutes for /sso/auth.
	LegacyJWTTTL = 5 * time.Minute
)

// backchannelLogoutEvent is the event a logout token carries (Back-Channel
// Logout 1.0 §2.4).
const backchannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout"

// LogoutParams names who is signed out of which client.
type LogoutParams struct {
	Tenant       model.Tenant
	Client       model.Client
	ClientSecret []byte // for clients whose ID tokens are HS256
	MemberID     string // sub
	SessionID    string // sid
}

// LogoutToken mints a Back-Channel Logout 1.0 logout token, signed like the
// client's ID tokens so the client verifies it the same way, with header
// `typ: logout+jwt` so it can never pass as an ID token. It carries the
// events claim and never a nonce (§2.4), which is what tells a client it is
// not an ID token.
func (i *Issuer) LogoutToken(ctx context.Context, p LogoutParams) (string, error) {
	if p.MemberID == "" && p.SessionID == "" {
		return "", errors.New("tokens: a logout token needs a sub or a sid")
	}
	if p.Client.ID == "" || p.Tenant.Issuer == "" {
		return "", errors.New("tokens: a logout token needs a client and an issuer")
	}
	now := i.now()
	c := map[string]any{
		"iss": p.Tenant.Issuer, "aud": p.Client.ID, "iat": now.Unix(), "exp": now.Add(LogoutTokenTTL).Unix(),
		"jti": ids.NewToken(16), "events": map[string]any{backchannelLogoutEvent: map[string]any{}},
	}
	optional(c, "sub", p.MemberID)
	optional(c, "sid", p.SessionID)
	return i.sign(ctx, p.Tenant.ID, idTokenAlg(p.Client), keys.TypeLogoutToken, p.ClientSecret, c)
}

// LegacyJWT mints the JWT of the legacy /sso/auth redirect: HS256 with the
// client's secret (partners verify with the secret key they were given),
// the user claims from Claims, and a unique jti so a partner can refuse a
// replay within the five minutes. Its typ is keys.TypeLegacyJWT: like an
// HS256 ID token it is signed with the client's secret, and only the type
// keeps one from being accepted as the other.
func (i *Issuer) LegacyJWT(tenant model.Tenant, client model.Client, secret []byte, claims map[string]any) (string, error) {
	if client.ID == "" || tenant.Issuer == "" {
		return "", errors.New("tokens: a legacy JWT needs a client and an issuer")
	}
	now := i.now()
	c := maps.Clone(claims)
	if c == nil {
		c = map[string]any{}
	}
	c["iss"], c["aud"], c["jti"] = tenant.Issuer, client.ID, ids.NewToken(16)
	c["iat"], c["nbf"], c["exp"] = now.Unix(), now.Unix(), now.Add(LegacyJWTTTL).Unix()
	// No context: HS256 needs no tenant key, so nothing here can block.
	return i.sign(context.Background(), tenant.ID, model.AlgHS256, keys.TypeLegacyJWT, secret, c)
}
