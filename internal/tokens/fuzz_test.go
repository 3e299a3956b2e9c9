package tokens

import (
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/model"
)

// FuzzVerifyAccessToken: hostile input never panics, and nothing but the
// genuine token (or an encoding-equivalent of it) is ever accepted.
func FuzzVerifyAccessToken(f *testing.F) {
	fx := newFixture(f)
	good, jti, _, err := fx.iss.AccessToken(ctx, accessParams(fx))
	if err != nil {
		f.Fatal(err)
	}
	idToken, _ := fx.iss.IDToken(ctx, idParams(fx, "ES256"))
	parts := strings.Split(good, ".")
	for _, s := range []string{
		good, idToken, "", ".", "..", "a.b.c", parts[0] + "." + parts[1] + ".",
		forge(map[string]any{"alg": "none", "typ": "at+jwt"}, parts[1], nil),
		forge(map[string]any{"alg": "HS256", "typ": "at+jwt"}, parts[1], secret),
		`{"payload":"e30","signatures":[]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		c, err := fx.iss.VerifyAccessToken(ctx, fx.tenant, token)
		if err == nil && c.JTI != jti {
			t.Fatalf("accepted a token we never issued: %q", token)
		}
	})
}

// FuzzVerifyIDTokenHint: the same for id_token_hint, which arrives in a URL
// anyone can craft, and may be HS256 (a secret lookup by unverified aud).
func FuzzVerifyIDTokenHint(f *testing.F) {
	fx := newFixture(f)
	rs, _ := fx.iss.IDToken(ctx, idParams(fx, "RS256"))
	hs, _ := fx.iss.IDToken(ctx, idParams(fx, "HS256"))
	access, _, _, _ := fx.iss.AccessToken(ctx, accessParams(fx))
	for _, s := range []string{rs, hs, access, "", "..", strings.Split(hs, ".")[0] + ".e30.", `{"payload":"e30"}`} {
		f.Add(s)
	}
	legacy, _ := fx.iss.LegacyJWT(fx.tenant, client(""), secret, Claims(member, nil, nil, false))
	f.Add(legacy)
	// The one client is HS256, so only hs may verify; rs is well signed
	// but with an algorithm the client does not use.
	hc := hintClient(client(model.AlgHS256), secret)
	f.Fuzz(func(t *testing.T, token string) {
		c, err := fx.iss.VerifyIDTokenHint(ctx, fx.tenant, token, hc)
		if err == nil && (c.Subject != member.ID || c.Algorithm != model.AlgHS256) {
			t.Fatalf("accepted a hint we never issued, or not as the client signs them: %q", token)
		}
	})
}
