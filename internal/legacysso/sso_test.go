package legacysso_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/testenv"
)

// TestTokenVerifiesWithClientSecret is acceptance 1 on each backend: the
// redirect carries an HS256 JWT that go-jose (and the npm package jose)
// verify with the client secret and with no other, holding PRODUCT.md's
// claims; each token is audited by jti, never by value.
func TestTokenVerifiesWithClientSecret(t *testing.T) {
	for _, backend := range []testenv.Backend{testenv.SQLite, testenv.Postgres} {
		t.Run(string(backend), func(t *testing.T) {
			w := newWorld(t, backend)
			c := w.signedIn(t, "ada@example.org", adaPassword)
			before := time.Now().Unix()
			resp, _ := get(t, c, w.s.URL, ssoPath(w.partner.ID, partnerCB))
			tok := tokenFrom(t, resp, partnerCB)
			claims := mustVerify(t, tok, w.partner.Secret)
			checkClaims(t, w, claims, before)

			for name, secret := range map[string]string{
				"another client's secret": w.rp.Secret,
				"a near miss":             w.partner.Secret[:len(w.partner.Secret)-1] + "x",
			} {
				if _, _, err := verify(tok, secret); err == nil {
					t.Errorf("token verified with %s", name)
				}
			}
			verifyWithNodeJose(t, tok, w.partner.Secret, w.rp.Secret, w.s.URL, w.partner.ID)

			resp, _ = get(t, c, w.s.URL, ssoPath(w.partner.ID, partnerCB))
			again := mustVerify(t, tokenFrom(t, resp, partnerCB), w.partner.Secret)
			if again["jti"] == claims["jti"] {
				t.Errorf("two tokens share jti %v", claims["jti"])
			}
			checkAudit(t, w, tok, claims["jti"], again["jti"])
		})
	}
}

func checkClaims(t *testing.T, w *world, claims map[string]any, before int64) {
	t.Helper()
	want := map[string]any{
		"iss": w.s.URL, "aud": w.partner.ID, "sub": w.ada, "email": "Ada@Example.org", "email_verified": true,
		"name": "Ada Lovelace", "given_name": "Ada", "family_name": "Lovelace",
		"member_status": "grace_period", "legacy_id": adaLegacyID,
	}
	for k, v := range want {
		if claims[k] != v {
			t.Errorf("claim %s = %#v, want %#v", k, claims[k], v)
		}
	}
	if g, _ := claims["groups"].([]any); !slices.Equal(g, []any{"board", "chess"}) {
		t.Errorf("groups = %#v, want [board chess]", claims["groups"])
	}
	iat, _ := claims["iat"].(float64)
	if int64(iat) < before-5 || int64(iat) > time.Now().Unix()+5 {
		t.Errorf("iat %v is not now", claims["iat"])
	}
	if claims["nbf"] != iat || claims["exp"] != iat+300 {
		t.Errorf("nbf %v exp %v, want iat (%v) and iat+300", claims["nbf"], claims["exp"], iat)
	}
	if _, ok := claims["updated_at"].(float64); !ok {
		t.Errorf("updated_at = %#v, want seconds", claims["updated_at"])
	}
	if jti, _ := claims["jti"].(string); len(jti) < 16 {
		t.Errorf("jti %q is missing or short", jti)
	}
}

func checkAudit(t *testing.T, w *world, tok string, jtis ...any) {
	t.Helper()
	events := auditEvents(t, w.s)
	if len(events) != len(jtis) {
		t.Fatalf("%d legacysso.token events, want %d", len(events), len(jtis))
	}
	for _, e := range events {
		if !slices.Contains(jtis, any(e.Detail["jti"])) || e.Detail["client_id"] != w.partner.ID ||
			e.Detail["member_id"] != w.ada || e.Actor != "member:"+w.ada {
			t.Errorf("audit event %+v does not record client, member and jti", e)
		}
		for _, v := range e.Detail {
			if strings.Contains(v, ".") && strings.Contains(tok, v) {
				t.Errorf("audit event holds the token: %+v", e)
			}
		}
	}
	if strings.Contains(w.s.Logs.String(), tok) {
		t.Error("the server log holds the token")
	}
}

// TestExistingQueryKept is acceptance 3: a registered query survives
// unchanged and the token is added to it.
func TestExistingQueryKept(t *testing.T) {
	w := newWorld(t, testenv.SQLite)
	c := w.signedIn(t, "ada@example.org", adaPassword)
	resp, _ := get(t, c, w.s.URL, ssoPath(w.partner.ID, partnerLang))
	tok := tokenFrom(t, resp, partnerLang) // Location is exactly …/sso?lang=en&token=<jwt>
	mustVerify(t, tok, w.partner.Secret)
	u, err := resp.Location()
	if err != nil {
		t.Fatal(err)
	}
	if q := u.Query(); q.Get("lang") != "en" || q.Get("token") != tok || len(q) != 2 {
		t.Errorf("query %v, want lang=en and the token", q)
	}
}

// TestLoopbackRedirect: http is allowed to a loopback host, on any port
// when the registered URI names none (RFC 8252 §7.3).
func TestLoopbackRedirect(t *testing.T) {
	w := newWorld(t, testenv.SQLite)
	c := w.signedIn(t, "ada@example.org", adaPassword)
	const requested = "http://127.0.0.1:4711/cb"
	resp, _ := get(t, c, w.s.URL, ssoPath(w.partner.ID, requested))
	mustVerify(t, tokenFrom(t, resp, requested), w.partner.Secret)
}

// TestFragmentRefusedAtRegistration is acceptance 3: a redirect URI with a
// fragment cannot be registered, so a token can never be placed where a
// fragment would hide or reorder it.
func TestFragmentRefusedAtRegistration(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	_, stderr, code := s.CLI(t, "", "client", "add", "--name", "Fragment", "--redirect-uris",
		"https://partner.example/cb#section", "--json", dataDir(s))
	if code == 0 || !strings.Contains(stderr, "fragment") {
		t.Fatalf("client add with a fragment: exit %d, stderr %q; want a non-zero exit naming the fragment", code, stderr)
	}
	if out := s.MustCLI(t, "", "client", "list", "--json", dataDir(s)); strings.Contains(out, "Fragment") {
		t.Fatalf("the refused client was stored:\n%s", out)
	}
}

// TestCaseInsensitiveClientID: partners often upper-case the GUID.
func TestCaseInsensitiveClientID(t *testing.T) {
	w := newWorld(t, testenv.SQLite)
	c := w.signedIn(t, "ada@example.org", adaPassword)
	resp, _ := get(t, c, w.s.URL, ssoPath(strings.ToUpper(w.partner.ID), partnerCB))
	claims := mustVerify(t, tokenFrom(t, resp, partnerCB), w.partner.Secret)
	if claims["aud"] != w.partner.ID {
		t.Errorf("aud %v, want the registered id %s", claims["aud"], w.partner.ID)
	}
}

// TestRotationSignsWithNewestSecret: during a rotation overlap the partner
// is switching over, so tokens are signed with the new secret.
func TestRotationSignsWithNewestSecret(t *testing.T) {
	w := newWorld(t, testenv.SQLite)
	c := w.signedIn(t, "ada@example.org", adaPassword)
	var rotated client
	mustJSON(t, w.s.MustCLI(t, "", "client", "rotate-secret", w.partner.ID, "--overlap", "24h", "--json", dataDir(w.s)), &rotated)
	if rotated.Secret == "" || rotated.Secret == w.partner.Secret {
		t.Fatalf("rotate-secret gave no new secret: %+v", rotated)
	}
	var tok string
	eventually(t, "a token signed with the new secret", func() bool {
		resp, _ := get(t, c, w.s.URL, ssoPath(w.partner.ID, partnerCB))
		tok = tokenFrom(t, resp, partnerCB)
		_, _, err := verify(tok, rotated.Secret)
		return err == nil
	})
	if _, _, err := verify(tok, w.partner.Secret); err == nil {
		t.Error("the token also verifies with the old secret")
	}
}
