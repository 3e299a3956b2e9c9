// Package oidctest is a small, scriptable OpenID Provider for tests: an
// honest one by default, and a hostile one on request (wrong issuer or
// audience, a signature from a key it never published, an expired token, a
// missing nonce, any claim the test likes). It is test-only: import it from
// _test.go files, never from code that reaches the binary.
package oidctest

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Provider is a running test OP. Set its exported fields before the flow
// they affect; they are read under its lock.
type Provider struct {
	URL          string // the issuer: https://127.0.0.1:<port>
	Server       *httptest.Server
	ClientID     string
	ClientSecret string

	mu sync.Mutex
	// Claims are the ID token's claims about the user (sub, email, …); the
	// protocol claims (iss, aud, exp, iat, nonce) are added when signing.
	Claims map[string]any
	// Userinfo answers /userinfo; nil answers with the ID token's claims.
	Userinfo map[string]any
	// Tamper edits the whole claim set just before signing (wrong iss, aud,
	// exp; delete nonce).
	Tamper func(claims map[string]any)
	// Rogue signs with a key the JWKS never lists, under a published kid.
	Rogue bool
	// Deny answers /authorize with this error (access_denied) instead of a code.
	Deny string
	// Discovery edits the discovery document before it is served.
	Discovery func(doc map[string]any)
	// JWKSDown answers /jwks with 503 Service Unavailable.
	JWKSDown bool
	// Now is the OP's clock.
	Now func() time.Time
	// RedirectURIs, when set, are the only redirect URIs /authorize accepts.
	RedirectURIs []string

	keys           []signingKey // published; the first signs
	rogue          signingKey
	codes          map[string]grant
	Authorizations []url.Values // every /authorize query received
	Logouts        []url.Values // every /end-session query received
	TokenRequests  int
	JWKSRequests   int
}

type grant struct {
	nonce, challenge, redirectURI string
}

// New starts a provider on loopback TLS. cert may be nil for httptest's own
// certificate (trust it through Server.Client()).
func New(t testing.TB, cert *tls.Certificate) *Provider {
	t.Helper()
	p := &Provider{ClientID: "guildgate", ClientSecret: "upstream-secret", Now: time.Now,
		Claims: map[string]any{"sub": "user-1", "email": "ada@acme.example", "email_verified": true,
			"name": "Ada Lovelace", "given_name": "Ada", "family_name": "Lovelace"},
		codes: map[string]grant{}}
	p.keys = []signingKey{newKey(t, "k1")}
	p.rogue = newKey(t, "k1") // same kid, different key
	p.Server = httptest.NewUnstartedServer(p.routes())
	if cert != nil {
		p.Server.TLS = &tls.Config{Certificates: []tls.Certificate{*cert}}
	}
	p.Server.StartTLS()
	t.Cleanup(p.Server.Close)
	p.URL = p.Server.URL
	return p
}

// Rotate publishes a new signing key and signs with it from now on; the
// old key stays published when keepOld.
func (p *Provider) Rotate(t testing.TB, kid string, keepOld bool) {
	k := newKey(t, kid)
	p.mu.Lock()
	defer p.mu.Unlock()
	if keepOld {
		p.keys = append([]signingKey{k}, p.keys...)
	} else {
		p.keys = []signingKey{k}
	}
}

// Set runs fn under the provider's lock, to change fields while a server
// goroutine may read them.
func (p *Provider) Set(fn func(p *Provider)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fn(p)
}

// Snapshot returns copies of what the provider has seen.
func (p *Provider) Snapshot() (auths, logouts []url.Values, tokenRequests int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]url.Values{}, p.Authorizations...), append([]url.Values{}, p.Logouts...), p.TokenRequests
}

func (p *Provider) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	mux.HandleFunc("GET /userinfo", p.userinfo)
	mux.HandleFunc("GET /end-session", p.endSession)
	return mux
}

func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	doc := map[string]any{
		"issuer": p.URL, "authorization_endpoint": p.URL + "/authorize", "token_endpoint": p.URL + "/token",
		"jwks_uri": p.URL + "/jwks", "userinfo_endpoint": p.URL + "/userinfo",
		"end_session_endpoint": p.URL + "/end-session", "response_types_supported": []string{"code"},
		"subject_types_supported": []string{"public"}, "id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
	}
	if p.Discovery != nil {
		p.Discovery(doc)
	}
	writeJSON(w, http.StatusOK, doc)
}

func (p *Provider) jwks(w http.ResponseWriter, _ *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.JWKSRequests++
	if p.JWKSDown {
		http.Error(w, "keys unavailable", http.StatusServiceUnavailable)
		return
	}
	set := jose.JSONWebKeySet{}
	for _, k := range p.keys {
		set.Keys = append(set.Keys, k.public())
	}
	writeJSON(w, http.StatusOK, set)
}

func (p *Provider) endSession(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.Logouts = append(p.Logouts, r.URL.Query())
	p.mu.Unlock()
	q := r.URL.Query()
	back := q.Get("post_logout_redirect_uri")
	if back == "" {
		w.Write([]byte("signed out upstream"))
		return
	}
	u, _ := url.Parse(back)
	v := u.Query()
	if s := q.Get("state"); s != "" {
		v.Set("state", s)
	}
	u.RawQuery = v.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}
