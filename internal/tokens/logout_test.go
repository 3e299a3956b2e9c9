package tokens

import (
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/guildgate/guildgate/internal/model"
)

// TestLogoutTokenVerifiesWithGoOIDC: go-oidc's Back-Channel Logout verifier
// (events present, no nonce, jti, exp, sub/sid, iss, aud) accepts ours.
func TestLogoutTokenVerifiesWithGoOIDC(t *testing.T) {
	f := newFixture(t)
	jwks := f.jwksServer(t, f.tenant)
	for _, alg := range []string{model.AlgRS256, model.AlgES256, model.AlgEdDSA, model.AlgHS256} {
		t.Run(alg, func(t *testing.T) {
			c := client(alg)
			raw, err := f.iss.LogoutToken(ctx, LogoutParams{Tenant: f.tenant, Client: c, ClientSecret: secret, MemberID: member.ID, SessionID: "sid-1"})
			if err != nil {
				t.Fatal(err)
			}
			header, claims := segments(t, raw)
			if header["typ"] != "logout+jwt" || header["alg"] != alg {
				t.Errorf("header %v", header)
			}
			events, _ := claims["events"].(map[string]any)
			if _, ok := events[backchannelLogoutEvent]; !ok || claims["nonce"] != nil || len(claims) != 8 {
				t.Errorf("claims %v: want iss aud iat exp jti sub sid events, and never a nonce", claims)
			}
			if exp, iat := claims["exp"].(float64), claims["iat"].(float64); exp-iat != LogoutTokenTTL.Seconds() {
				t.Errorf("lifetime %vs", exp-iat)
			}
			if alg == model.AlgHS256 {
				verifyHS256(t, raw, secret)
				return
			}
			v := oidc.NewVerifier(f.tenant.Issuer, oidc.NewRemoteKeySet(ctx, jwks),
				&oidc.Config{ClientID: c.ID, SupportedSigningAlgs: []string{alg}, Now: f.clock.Now})
			lt, err := v.VerifyLogout(ctx, raw)
			if err != nil {
				t.Fatalf("go-oidc rejects our logout token: %v", err)
			}
			if lt.Subject != member.ID || lt.SessionID != "sid-1" || lt.TokenID == "" {
				t.Errorf("logout token %+v", lt)
			}
			// And it can never pass as an ID token.
			if _, err := f.iss.VerifyIDTokenHint(ctx, f.tenant, raw, hintClient(c, secret)); err == nil {
				t.Error("logout token accepted as an ID token hint")
			}
		})
	}
	if _, err := f.iss.LogoutToken(ctx, LogoutParams{Tenant: f.tenant, Client: client("")}); err == nil {
		t.Error("logout token with neither sub nor sid")
	}
}

func TestLegacyJWT(t *testing.T) {
	f := newFixture(t)
	c := client(model.AlgRS256) // legacy SSO is HS256 whatever the client's ID-token alg
	user := Claims(member, nil, []string{"profile", "email"}, false)
	raw, err := f.iss.LegacyJWT(f.tenant, c, secret, user)
	if err != nil {
		t.Fatal(err)
	}
	verifyHS256(t, raw, secret)
	header, claims := segments(t, raw)
	if header["typ"] != "guildgate-sso+jwt" || header["alg"] != "HS256" {
		t.Errorf("header %v", header)
	}
	now := float64(f.clock.Now().Unix())
	for k, v := range map[string]any{"iss": f.tenant.Issuer, "aud": c.ID, "sub": member.ID, "email": member.Email,
		"member_status": "grace_period", "legacy_id": "L-1815", "iat": now, "nbf": now, "exp": now + 300} {
		if claims[k] != v {
			t.Errorf("%s = %v, want %v", k, claims[k], v)
		}
	}
	again, _ := f.iss.LegacyJWT(f.tenant, c, secret, user)
	if _, c2 := segments(t, again); c2["jti"] == claims["jti"] || claims["jti"] == nil {
		t.Error("jti not unique")
	}
	if _, ok := user["iss"]; ok {
		t.Error("LegacyJWT modified the caller's claims map")
	}
	// The Go sample of docs/legacy-sso.md (go-jose's jwt, which does not
	// look at typ) verifies it as it did when typ was "JWT".
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.HS256})
	var std jwt.Claims
	if err == nil {
		err = tok.Claims(secret, &std)
	}
	if err == nil {
		err = std.ValidateWithLeeway(jwt.Expected{Issuer: f.tenant.Issuer, AnyAudience: jwt.Audience{c.ID}, Time: f.clock.Now()}, 30*time.Second)
	}
	if err != nil || std.ID == "" {
		t.Errorf("the documented go-jose verification fails: %v", err)
	}
	if _, err := f.iss.LegacyJWT(f.tenant, c, secret[:31], user); err == nil {
		t.Error("signed with a secret under 256 bits")
	}
}
