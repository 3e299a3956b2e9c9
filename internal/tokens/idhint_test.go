package tokens

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// secretsOf is the secretsFor a logout handler would pass: the client's
// secrets, old and new during a rotation overlap.
func secretsOf(id string, s ...[]byte) func(string) ([][]byte, error) {
	return func(clientID string) ([][]byte, error) {
		if clientID != id {
			return nil, errors.New("unknown client")
		}
		return s, nil
	}
}

func TestVerifyIDTokenHint(t *testing.T) {
	f := newFixture(t)
	c := client("")
	oldSecret := []byte("an-older-secret-still-valid-in-overlap")
	for _, alg := range []string{model.AlgRS256, model.AlgES256, model.AlgEdDSA, model.AlgHS256} {
		t.Run(alg, func(t *testing.T) {
			p := idParams(f, alg)
			hint, err := f.iss.IDToken(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			// Expired and signed by a key rotated out since: still a good hint.
			f.clock.Add(2 * time.Hour)
			if err := f.iss.Keys.Rotate(ctx, f.tenant.ID); err != nil {
				t.Fatal(err)
			}
			got, err := f.iss.VerifyIDTokenHint(ctx, f.tenant, hint, secretsOf(c.ID, oldSecret, secret))
			if err != nil {
				t.Fatal(err)
			}
			if got.Subject != member.ID || got.ClientID != c.ID || got.SessionID != "sid-1" || got.Algorithm != alg ||
				!got.Expiry.Before(f.clock.Now()) || got.AuthTime.IsZero() {
				t.Errorf("claims %+v", got)
			}
			if _, err := f.iss.VerifyIDTokenHint(ctx, f.other, hint, secretsOf(c.ID, secret)); err == nil {
				t.Error("accepted for another tenant")
			}
		})
	}
}

func TestVerifyIDTokenHintRejects(t *testing.T) {
	f := newFixture(t)
	c := client(model.AlgHS256)
	hs, _ := f.iss.IDToken(ctx, idParams(f, model.AlgHS256))
	access, _, _, _ := f.iss.AccessToken(ctx, accessParams(f))
	logout, _ := f.iss.LogoutToken(ctx, LogoutParams{Tenant: f.tenant, Client: client(""), MemberID: "m"})
	payload := strings.Split(hs, ".")[1]
	short := secret[:16]
	cases := map[string]struct {
		token      string
		secretsFor func(string) ([][]byte, error)
	}{
		"HS256, wrong secret":     {hs, secretsOf(c.ID, []byte("another-secret-of-at-least-32-bytes!"))},
		"HS256, unknown client":   {hs, secretsOf("someone-else", secret)},
		"HS256, not accepted":     {hs, nil},
		"HS256, secret too short": {forge(map[string]any{"alg": "HS256", "typ": "JWT"}, payload, short), secretsOf(c.ID, short)},
		"access token":            {access, secretsOf(c.ID, secret)},
		"logout token":            {logout, secretsOf(c.ID, secret)},
		"alg none":                {forge(map[string]any{"alg": "none", "typ": "JWT"}, payload, nil), secretsOf(c.ID, secret)},
		"garbage":                 {"a.b.c", secretsOf(c.ID, secret)},
	}
	for name, tc := range cases {
		if got, err := f.iss.VerifyIDTokenHint(ctx, f.tenant, tc.token, tc.secretsFor); err == nil {
			t.Errorf("%s: accepted %+v", name, got)
		}
	}
}
