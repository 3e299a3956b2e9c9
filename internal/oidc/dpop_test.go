package oidc_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/dpop"
	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oidc"
)

// dpopKey is a client's DPoP key pair.
type dpopKey struct {
	priv *ecdsa.PrivateKey
	jkt  string
}

func newDPoPKey(t testing.TB) dpopKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jkt, err := dpop.Thumbprint(&jose.JSONWebKey{Key: k.Public()})
	if err != nil {
		t.Fatal(err)
	}
	return dpopKey{k, jkt}
}

// proofSpec is a proof's claims; zero fields take the right values.
type proofSpec struct {
	htm, htu, nonce, token string
	iat                    time.Time
	jti                    string
	edit                   func(map[string]any)
}

// proof signs a DPoP proof for method on path of the server.
func (e *modernEnv) proof(k dpopKey, method, path string, s proofSpec) string {
	e.t.Helper()
	claims := map[string]any{"htm": method, "htu": e.URL + path, "iat": e.Clock.Now().Unix(), "jti": ids.NewToken(12)}
	for key, v := range map[string]string{"htm": s.htm, "htu": s.htu, "nonce": s.nonce, "jti": s.jti} {
		if v != "" {
			claims[key] = v
		}
	}
	if !s.iat.IsZero() {
		claims["iat"] = s.iat.Unix()
	}
	if s.token != "" {
		claims["ath"] = dpop.TokenHash(s.token)
	}
	if s.edit != nil {
		s.edit(claims)
	}
	opts := (&jose.SignerOptions{EmbedJWK: true}).WithType("dpop+jwt")
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k.priv}, opts)
	if err != nil {
		e.t.Fatal(err)
	}
	raw, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		e.t.Fatal(err)
	}
	return raw
}

// nonce fetches a server nonce: a token request whose proof lacks one is
// answered use_dpop_nonce with a fresh nonce in DPoP-Nonce.
func (e *modernEnv) nonce(k dpopKey, c *testClient, form url.Values) string {
	e.t.Helper()
	r := e.postForm(oidc.PathToken, c, form, http.Header{"Dpop": {e.proof(k, "POST", oidc.PathToken, proofSpec{})}})
	if r.status != http.StatusBadRequest || r.json(e.t)["error"] != "use_dpop_nonce" || r.header.Get("DPoP-Nonce") == "" {
		e.t.Fatalf("no nonce offered: %d %v %s", r.status, r.header, r.body)
	}
	return r.header.Get("DPoP-Nonce")
}

// userinfo calls userinfo with the token under scheme and, when proof is
// set, a DPoP header.
func (e *modernEnv) userinfo(scheme, token, proof string) resp {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.URL+oidc.PathUserinfo, nil)
	req.Header.Set("Authorization", scheme+" "+token)
	if proof != "" {
		req.Header.Set("DPoP", proof)
	}
	return e.do(e.HTTP, req)
}

func cnfOf(t testing.TB, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	var c struct {
		Cnf struct {
			JKT string `json:"jkt"`
		} `json:"cnf"`
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatalf("access token payload: %v", err)
	}
	return c.Cnf.JKT
}

// TestDPoPPublicClient: a public client's code exchange with a proof (after
// the nonce dance) yields a DPoP token bound to its key and a bound refresh
// token; userinfo wants the DPoP scheme and a proof by that key over the
// request and the token; refresh wants a proof by the same key.
func TestDPoPPublicClient(t *testing.T) {
	e := newModernEnv(t)
	c := e.addModernClient(func(in *clients.Input) {
		in.Public = true
		in.GrantTypes = []string{"authorization_code", "refresh_token"}
	})
	k := newDPoPKey(t)
	params := codeParams(c)
	params.Set("scope", "openid email offline_access")
	code := e.wantCode(e.authorize(e.signedIn(), params), c)
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {c.ID},
		"redirect_uri": {c.Redirect}, "code_verifier": {verifier}}
	r := e.postForm(oidc.PathToken, nil, form, http.Header{"Dpop": {e.proof(k, "POST", oidc.PathToken, proofSpec{})}})
	if r.status != http.StatusBadRequest || r.json(t)["error"] != "use_dpop_nonce" {
		t.Fatalf("proof without nonce: %d %s", r.status, r.body)
	}
	nonce := r.header.Get("DPoP-Nonce")
	r = e.postForm(oidc.PathToken, nil, form, http.Header{"Dpop": {e.proof(k, "POST", oidc.PathToken, proofSpec{nonce: nonce})}})
	tok := r.json(t)
	at, _ := tok["access_token"].(string)
	rt, _ := tok["refresh_token"].(string)
	if r.status != http.StatusOK || tok["token_type"] != "DPoP" || cnfOf(t, at) != k.jkt || !strings.HasSuffix(rt, "."+k.jkt) {
		t.Fatalf("exchange (the code survived the nonce refusal): %d %s", r.status, r.body)
	}

	if u := e.userinfo("DPoP", at, e.proof(k, "GET", oidc.PathUserinfo, proofSpec{token: at})); u.status != http.StatusOK || u.json(t)["sub"] == nil {
		t.Fatalf("userinfo with a proof: %d %s", u.status, u.body)
	}
	other := newDPoPKey(t)
	reused := e.proof(k, "GET", oidc.PathUserinfo, proofSpec{token: at, jti: "same"})
	_ = e.userinfo("DPoP", at, reused)
	for name, tc := range map[string]struct {
		scheme, proof, code string
	}{
		"as a bearer token":   {"Bearer", "", "invalid_token"},
		"no proof":            {"DPoP", "", "invalid_dpop_proof"},
		"another key":         {"DPoP", e.proof(other, "GET", oidc.PathUserinfo, proofSpec{token: at}), "invalid_dpop_proof"},
		"wrong htm":           {"DPoP", e.proof(k, "POST", oidc.PathUserinfo, proofSpec{token: at}), "invalid_dpop_proof"},
		"wrong htu":           {"DPoP", e.proof(k, "GET", oidc.PathToken, proofSpec{token: at}), "invalid_dpop_proof"},
		"old iat":             {"DPoP", e.proof(k, "GET", oidc.PathUserinfo, proofSpec{token: at, iat: e.Clock.Now().Add(-10 * time.Minute)}), "invalid_dpop_proof"},
		"future iat":          {"DPoP", e.proof(k, "GET", oidc.PathUserinfo, proofSpec{token: at, iat: e.Clock.Now().Add(time.Minute)}), "invalid_dpop_proof"},
		"no ath":              {"DPoP", e.proof(k, "GET", oidc.PathUserinfo, proofSpec{}), "invalid_dpop_proof"},
		"ath of another":      {"DPoP", e.proof(k, "GET", oidc.PathUserinfo, proofSpec{token: "other"}), "invalid_dpop_proof"},
		"reused jti":          {"DPoP", reused, "invalid_dpop_proof"},
		"a made-up nonce":     {"DPoP", e.proof(k, "GET", oidc.PathUserinfo, proofSpec{token: at, nonce: "made-up"}), "use_dpop_nonce"},
		"alg none (unsigned)": {"DPoP", "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6Im5vbmUifQ.e30.", "invalid_dpop_proof"},
	} {
		t.Run(name, func(t *testing.T) {
			u := e.userinfo(tc.scheme, at, tc.proof)
			if u.status != http.StatusUnauthorized || !strings.HasPrefix(u.header.Get("WWW-Authenticate"), "DPoP ") ||
				!strings.Contains(u.header.Get("WWW-Authenticate"), `error="`+tc.code+`"`) {
				t.Fatalf("want 401 DPoP %s: %d %v %s", tc.code, u.status, u.header.Get("WWW-Authenticate"), u.body)
			}
		})
	}

	refresh := func(proof string) resp {
		h := http.Header{}
		if proof != "" {
			h.Set("DPoP", proof)
		}
		return e.postForm(oidc.PathToken, nil, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {c.ID}}, h)
	}
	if r := refresh(""); r.status != http.StatusBadRequest || r.json(t)["error"] != "invalid_grant" {
		t.Fatalf("refresh without a proof: %d %s", r.status, r.body)
	}
	rform := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {c.ID}}
	nonce = e.nonce(k, nil, rform)
	if r := refresh(e.proof(other, "POST", oidc.PathToken, proofSpec{nonce: nonce})); r.status != http.StatusBadRequest || r.json(t)["error"] != "invalid_grant" {
		t.Fatalf("refresh with another key: %d %s", r.status, r.body)
	}
	r = refresh(e.proof(k, "POST", oidc.PathToken, proofSpec{nonce: nonce}))
	if r.status != http.StatusOK || r.json(t)["token_type"] != "DPoP" || !strings.HasSuffix(r.json(t)["refresh_token"].(string), "."+k.jkt) {
		t.Fatalf("refresh with the key: %d %s", r.status, r.body)
	}
}

// TestDPoPRequired: a --require-dpop client gets nothing without a proof;
// with one its token is bound, and introspection tells a resource server
// the key (cnf.jkt, token_type DPoP). An expired nonce is refused.
func TestDPoPRequired(t *testing.T) {
	e := newModernEnv(t)
	c := e.addModernClient(func(in *clients.Input) {
		in.GrantTypes = []string{model.GrantClientCredentials}
		in.Modern.RequireDPoP = true
	})
	form := url.Values{"grant_type": {"client_credentials"}}
	if r := e.postForm(oidc.PathToken, &c, form, nil); r.status != http.StatusBadRequest || r.json(t)["error"] != "invalid_dpop_proof" {
		t.Fatalf("no proof: %d %s", r.status, r.body)
	}
	k := newDPoPKey(t)
	stale := e.nonce(k, &c, form)
	e.Clock.Advance(dpop.MaxAge + time.Second)
	if r := e.postForm(oidc.PathToken, &c, form, http.Header{"Dpop": {e.proof(k, "POST", oidc.PathToken, proofSpec{nonce: stale})}}); r.json(t)["error"] != "use_dpop_nonce" {
		t.Fatalf("stale nonce: %d %s", r.status, r.body)
	}
	for name, s := range map[string]proofSpec{"wrong htm": {htm: "GET"}, "wrong htu": {htu: e.URL + "/oauth/other"}} {
		s.nonce = e.nonce(k, &c, form)
		if r := e.postForm(oidc.PathToken, &c, form, http.Header{"Dpop": {e.proof(k, "POST", oidc.PathToken, s)}}); r.json(t)["error"] != "invalid_dpop_proof" {
			t.Fatalf("%s: %d %s", name, r.status, r.body)
		}
	}
	r := e.postForm(oidc.PathToken, &c, form, http.Header{"Dpop": {e.proof(k, "POST", oidc.PathToken, proofSpec{nonce: e.nonce(k, &c, form)})}})
	at, _ := r.json(t)["access_token"].(string)
	if r.status != http.StatusOK || r.json(t)["token_type"] != "DPoP" || cnfOf(t, at) != k.jkt {
		t.Fatalf("with a proof: %d %s", r.status, r.body)
	}
	in := e.postForm(oidc.PathIntrospect, &c, url.Values{"token": {at}}, nil).json(t)
	if cnf, _ := in["cnf"].(map[string]any); in["active"] != true || in["token_type"] != "DPoP" || cnf["jkt"] != k.jkt {
		t.Fatalf("introspection: %v", in)
	}
}

// TestDPoPRequiredNoImplicit: a --require-dpop client cannot get an access
// token from the authorization endpoint, where no proof can bind it.
func TestDPoPRequiredNoImplicit(t *testing.T) {
	e := newModernEnv(t)
	c := e.addModernClient(func(in *clients.Input) {
		in.GrantTypes = []string{"authorization_code", "implicit"}
		in.Modern.RequireDPoP = true
	})
	v := codeParams(c)
	v.Set("response_type", "code token")
	e.wantRedirectErrorIn(e.authorize(e.signedIn(), v), c, "unauthorized_client")
}
