package oidc_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
)

// assertion is a client assertion's claims for client id, edited.
func (e *modernEnv) assertion(id string, edit func(map[string]any)) map[string]any {
	now := e.Clock.Now()
	claims := map[string]any{"iss": id, "sub": id, "aud": e.URL, "jti": ids.NewToken(16),
		"iat": now.Unix(), "exp": now.Add(time.Minute).Unix()}
	if edit != nil {
		edit(claims)
	}
	return claims
}

// clientCredentials asks for a token with a client assertion.
func (e *modernEnv) withAssertion(path, assertion string, extra url.Values) resp {
	e.t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {oauth.AssertionTypeJWT},
		"client_assertion": {assertion}}
	for k, vs := range extra {
		form[k] = vs
	}
	return e.postForm(path, nil, form, nil)
}

// TestPrivateKeyJWT: a private_key_jwt client gets tokens with an assertion
// signed by its registered key, once per assertion; its secret no longer
// authenticates it; and every malformed, foreign, expired or replayed
// assertion is invalid_client.
func TestPrivateKeyJWT(t *testing.T) {
	e := newModernEnv(t)
	k := newClientKey(t, "k1")
	c := e.addModernClient(func(in *clients.Input) {
		in.GrantTypes = []string{model.GrantClientCredentials}
		in.Modern = clients.Modern{TokenAuthMethod: model.AuthPrivateKeyJWT, JWKS: k.jwks(t)}
	})
	secretClient := e.addModernClient(func(in *clients.Input) {
		in.GrantTypes = []string{model.GrantClientCredentials}
		in.Modern.JWKS = k.jwks(t) // keys, but the secret methods
	})
	good := k.sign(t, "", e.assertion(c.ID, nil))
	if r := e.withAssertion("/oauth/token", good, nil); r.status != http.StatusOK || r.json(t)["access_token"] == nil {
		t.Fatalf("good assertion: %d %s", r.status, r.body)
	}
	if r := e.withAssertion("/oauth/token", good, nil); r.status != http.StatusUnauthorized || r.json(t)["error"] != "invalid_client" {
		t.Fatalf("replayed assertion: %d %s", r.status, r.body)
	}
	if r := e.withAssertion("/oauth/token", k.sign(t, "JWT", e.assertion(c.ID, func(m map[string]any) {
		m["aud"] = []string{"https://other.example", e.URL + "/oauth/token"}
	})), url.Values{"client_id": {c.ID}}); r.status != http.StatusOK {
		t.Fatalf("aud = token endpoint, client_id sent: %d %s", r.status, r.body)
	}
	now := e.Clock.Now()
	for name, a := range map[string]string{
		"another key":      newClientKey(t, "k1").sign(t, "", e.assertion(c.ID, nil)),
		"alg none":         unsigned(t, e.assertion(c.ID, nil)),
		"HS256 secret":     signHS256(t, c.Secret, e.assertion(c.ID, nil)),
		"wrong audience":   k.sign(t, "", e.assertion(c.ID, func(m map[string]any) { m["aud"] = "https://other.example" })),
		"expired":          k.sign(t, "", e.assertion(c.ID, func(m map[string]any) { m["exp"] = now.Add(-time.Minute).Unix() })),
		"exp far ahead":    k.sign(t, "", e.assertion(c.ID, func(m map[string]any) { m["exp"] = now.Add(time.Hour).Unix() })),
		"no jti":           k.sign(t, "", e.assertion(c.ID, func(m map[string]any) { delete(m, "jti") })),
		"iss is not sub":   k.sign(t, "", e.assertion(c.ID, func(m map[string]any) { m["iss"] = secretClient.ID })),
		"issued in future": k.sign(t, "", e.assertion(c.ID, func(m map[string]any) { m["iat"] = now.Add(time.Minute).Unix() })),
		"secret client":    k.sign(t, "", e.assertion(secretClient.ID, nil)),
		"unknown client":   k.sign(t, "", e.assertion("00000000-0000-0000-0000-000000000000", nil)),
		"not a JWT":        "a.b.c",
	} {
		t.Run(name, func(t *testing.T) {
			r := e.withAssertion("/oauth/token", a, nil)
			if r.status != http.StatusUnauthorized || r.json(t)["error"] != "invalid_client" {
				t.Fatalf("want 401 invalid_client: %d %s", r.status, r.body)
			}
		})
	}
	if r := e.withAssertion("/oauth/token", k.sign(t, "", e.assertion(c.ID, nil)), url.Values{"client_id": {secretClient.ID}}); r.status != http.StatusUnauthorized {
		t.Fatalf("client_id naming another client than sub: %d %s", r.status, r.body)
	}
	bySecret := e.postForm("/oauth/token", &c, url.Values{"grant_type": {"client_credentials"}}, nil)
	if bySecret.status != http.StatusUnauthorized || bySecret.json(t)["error"] != "invalid_client" {
		t.Fatalf("the private_key_jwt client's secret: %d %s", bySecret.status, bySecret.body)
	}
	both := e.postForm("/oauth/token", &secretClient, url.Values{"grant_type": {"client_credentials"},
		"client_assertion_type": {oauth.AssertionTypeJWT}, "client_assertion": {k.sign(t, "", e.assertion(c.ID, nil))}}, nil)
	if both.status != http.StatusBadRequest || both.json(t)["error"] != "invalid_request" {
		t.Fatalf("assertion and secret together: %d %s", both.status, both.body)
	}
	wrongType := e.postForm("/oauth/token", nil, url.Values{"grant_type": {"client_credentials"},
		"client_assertion_type": {"urn:x"}, "client_assertion": {k.sign(t, "", e.assertion(c.ID, nil))}}, nil)
	if wrongType.status != http.StatusUnauthorized {
		t.Fatalf("wrong client_assertion_type: %d %s", wrongType.status, wrongType.body)
	}
}

// TestPrivateKeyJWTElsewhere: the assertion authenticates at PAR,
// introspection and revocation too, with aud the endpoint called.
func TestPrivateKeyJWTElsewhere(t *testing.T) {
	e := newModernEnv(t)
	k := newClientKey(t, "k1")
	c := e.addModernClient(func(in *clients.Input) {
		in.Modern = clients.Modern{TokenAuthMethod: model.AuthPrivateKeyJWT, JWKS: k.jwks(t)}
	})
	form := codeParams(c)
	form.Set("client_assertion_type", oauth.AssertionTypeJWT)
	form.Set("client_assertion", k.sign(t, "", e.assertion(c.ID, func(m map[string]any) { m["aud"] = e.URL + "/oauth/par" })))
	r := e.postForm("/oauth/par", nil, form, nil)
	if r.status != http.StatusCreated {
		t.Fatalf("PAR with an assertion: %d %s", r.status, r.body)
	}
	code := e.wantCode(e.authorize(e.signedIn(), byReference(c, r.json(t)["request_uri"].(string))), c)
	tok := e.postForm("/oauth/token", nil, url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {c.Redirect}, "code_verifier": {verifier}, "client_assertion_type": {oauth.AssertionTypeJWT},
		"client_assertion": {k.sign(t, "", e.assertion(c.ID, nil))}}, nil)
	if tok.status != http.StatusOK {
		t.Fatalf("code exchange: %d %s", tok.status, tok.body)
	}
	at := tok.json(t)["access_token"].(string)
	in := e.postForm("/oauth/introspect", nil, url.Values{"token": {at}, "client_assertion_type": {oauth.AssertionTypeJWT},
		"client_assertion": {k.sign(t, "", e.assertion(c.ID, func(m map[string]any) { m["aud"] = e.URL + "/oauth/introspect" }))}}, nil)
	if in.status != http.StatusOK || in.json(t)["active"] != true {
		t.Fatalf("introspection: %d %s", in.status, in.body)
	}
}
