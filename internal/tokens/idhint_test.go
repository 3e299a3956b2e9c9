package tokens

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// hintClient is the HintClient a handler would pass when c is the only
// client: c as registered, and its secrets, old and new during a rotation
// overlap.
func hintClient(c model.Client, s ...[]byte) HintClient {
	return HintClient{
		Lookup: func(clientID string) (model.Client, error) {
			if clientID != c.ID {
				return model.Client{}, errors.New("unknown client")
			}
			return c, nil
		},
		Secrets: func(clientID string) ([][]byte, error) {
			if clientID != c.ID {
				return nil, errors.New("unknown client")
			}
			return s, nil
		},
	}
}

func TestVerifyIDTokenHint(t *testing.T) {
	f := newFixture(t)
	oldSecret := []byte("an-older-secret-still-valid-in-overlap")
	for _, alg := range []string{model.AlgRS256, model.AlgES256, model.AlgEdDSA, model.AlgHS256} {
		t.Run(alg, func(t *testing.T) {
			p := idParams(f, alg)
			c := client(alg)
			hint, err := f.iss.IDToken(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			// Expired and signed by a key rotated out since: still a good hint.
			f.clock.Add(2 * time.Hour)
			if err := f.iss.Keys.Rotate(ctx, f.tenant.ID); err != nil {
				t.Fatal(err)
			}
			got, err := f.iss.VerifyIDTokenHint(ctx, f.tenant, hint, hintClient(c, oldSecret, secret))
			if err != nil {
				t.Fatal(err)
			}
			if got.Subject != member.ID || got.ClientID != c.ID || got.SessionID != "sid-1" || got.Algorithm != alg ||
				!got.Expiry.Before(f.clock.Now()) || got.AuthTime.IsZero() {
				t.Errorf("claims %+v", got)
			}
			if _, err := f.iss.VerifyIDTokenHint(ctx, f.other, hint, hintClient(c, secret)); err == nil {
				t.Error("accepted for another tenant")
			}
		})
	}
}

func TestVerifyIDTokenHintRejects(t *testing.T) {
	f := newFixture(t)
	c := client(model.AlgHS256)
	hs, _ := f.iss.IDToken(ctx, idParams(f, model.AlgHS256))
	rs, _ := f.iss.IDToken(ctx, idParams(f, model.AlgRS256))
	access, _, _, _ := f.iss.AccessToken(ctx, accessParams(f))
	logout, _ := f.iss.LogoutToken(ctx, LogoutParams{Tenant: f.tenant, Client: client(""), MemberID: "m"})
	legacy, _ := f.iss.LegacyJWT(f.tenant, c, secret, Claims(member, nil, []string{"profile"}, false))
	payload := strings.Split(hs, ".")[1]
	_, claims := segments(t, hs)
	noAzp := jsonSegment(t, without(claims, "azp"))
	short := secret[:16]
	cases := map[string]struct {
		token string
		hc    HintClient
	}{
		"HS256, wrong secret":     {hs, hintClient(c, []byte("another-secret-of-at-least-32-bytes!"))},
		"HS256, unknown client":   {hs, hintClient(model.Client{ID: "someone-else", IDTokenAlg: model.AlgHS256}, secret)},
		"HS256, not accepted":     {hs, HintClient{Lookup: hintClient(c).Lookup}},
		"HS256, secret too short": {forge(map[string]any{"alg": "HS256", "typ": "JWT"}, payload, short), hintClient(c, short)},
		// Finding 5: an HS256 token, signed with a secret the client holds,
		// is no hint for a client whose ID tokens are RS256 (or any other).
		"HS256 for an RS256 client":  {hs, hintClient(client(model.AlgRS256), secret)},
		"HS256 for a default client": {hs, hintClient(client(""), secret)},
		"RS256 for an HS256 client":  {rs, hintClient(c, secret)},
		// A legacy /sso/auth JWT is HS256 with the client's secret: its
		// own typ refuses it, and so would its missing azp (a legacy JWT
		// minted with typ JWT before the type was introduced).
		"legacy JWT":           {legacy, hintClient(c, secret)},
		"legacy JWT, old typ":  {forge(map[string]any{"alg": "HS256", "typ": "JWT"}, strings.Split(legacy, ".")[1], secret), hintClient(c, secret)},
		"ID token without azp": {forge(map[string]any{"alg": "HS256", "typ": "JWT"}, noAzp, secret), hintClient(c, secret)},
		"access token":         {access, hintClient(c, secret)},
		"logout token":         {logout, hintClient(c, secret)},
		"alg none":             {forge(map[string]any{"alg": "none", "typ": "JWT"}, payload, nil), hintClient(c, secret)},
		"garbage":              {"a.b.c", hintClient(c, secret)},
		"no lookup":            {rs, HintClient{}},
	}
	for name, tc := range cases {
		if got, err := f.iss.VerifyIDTokenHint(ctx, f.tenant, tc.token, tc.hc); err == nil {
			t.Errorf("%s: accepted %+v", name, got)
		}
	}
	// The forgeries above are refused for what they are: the same bytes
	// with the right type, azp and algorithm verify.
	good := forge(map[string]any{"alg": "HS256", "typ": "JWT"}, jsonSegment(t, claims), secret)
	if _, err := f.iss.VerifyIDTokenHint(ctx, f.tenant, good, hintClient(c, secret)); err != nil {
		t.Fatalf("a well-formed HS256 hint for an HS256 client: %v", err)
	}
}

func without(m map[string]any, key string) map[string]any {
	out := maps.Clone(m)
	delete(out, key)
	return out
}

func jsonSegment(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
