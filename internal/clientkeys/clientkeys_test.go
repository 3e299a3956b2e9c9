package clientkeys_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/guildgate/guildgate/internal/clientkeys"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/outbound"
)

type key struct {
	priv *ecdsa.PrivateKey
	kid  string
}

func newKey(t testing.TB, kid string) key {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key{k, kid}
}

func (k key) public() jose.JSONWebKey {
	return jose.JSONWebKey{Key: k.priv.Public(), KeyID: k.kid, Algorithm: "ES256", Use: "sig"}
}

func (k key) sign(t testing.TB, payload string) string {
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k.priv}, (&jose.SignerOptions{}).WithHeader("kid", k.kid))
	if err != nil {
		t.Fatal(err)
	}
	jws, err := s.Sign([]byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := jws.CompactSerialize()
	return raw
}

func set(t testing.TB, keys ...jose.JSONWebKey) string {
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func anyType(string) bool { return true }

// TestParseSet: public signing keys pass; a private or symmetric key, a
// key for encryption, an unknown algorithm, too many keys or junk are
// refused with words naming the problem.
func TestParseSet(t *testing.T) {
	k := newKey(t, "a")
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	if msg := clientkeys.CheckSet(set(t, k.public(), jose.JSONWebKey{Key: rsaKey.Public(), KeyID: "r"})); msg != "" {
		t.Fatalf("a good set: %s", msg)
	}
	many := make([]jose.JSONWebKey, clientkeys.MaxKeys+1)
	for i := range many {
		many[i] = k.public()
	}
	for name, tc := range map[string]struct{ doc, want string }{
		"private key":    {set(t, jose.JSONWebKey{Key: k.priv, KeyID: "p"}), "private or symmetric"},
		"symmetric key":  {set(t, jose.JSONWebKey{Key: []byte("0123456789abcdef0123456789abcdef"), KeyID: "s"}), "private or symmetric"},
		"encryption key": {set(t, jose.JSONWebKey{Key: k.priv.Public(), KeyID: "e", Use: "enc"}), "not for signatures"},
		"alg none":       {strings.Replace(set(t, k.public()), `"ES256"`, `"none"`, 1), "names algorithm"},
		"too many":       {set(t, many...), "at most"},
		"not JSON":       {`{"keys":`, "not a JWK Set"},
		"empty":          {`{"keys":[]}`, "holds no key"},
		"too long":       {`{"keys":[],"x":"` + strings.Repeat("a", clientkeys.MaxDocument) + `"}`, "longer than"},
	} {
		if msg := clientkeys.CheckSet(tc.doc); !strings.Contains(msg, tc.want) {
			t.Errorf("%s: %q, want it to say %q", name, msg, tc.want)
		}
	}
	for uri, ok := range map[string]bool{"https://rp.example/jwks": true, "http://rp.example/jwks": false,
		"https://rp.example/jwks#x": false, "/jwks": false, "https://u:p@rp.example/": false} {
		if got := clientkeys.CheckURI(uri) == ""; got != ok {
			t.Errorf("CheckURI(%q) ok=%v, want %v", uri, got, ok)
		}
	}
}

// TestVerifyDocument: the registered key verifies its token; another key
// with the same kid, HS256 without secrets, alg none and a kid the set
// lacks are refused.
func TestVerifyDocument(t *testing.T) {
	k, stranger := newKey(t, "a"), newKey(t, "a")
	v := &clientkeys.Verifier{Now: time.Now}
	c := model.Client{ID: "c1", TenantID: "t1", JWKS: set(t, k.public())}
	if got, _, err := v.Verify(t.Context(), c, k.sign(t, `{"x":1}`), nil, anyType); err != nil || string(got) != `{"x":1}` {
		t.Fatalf("good token: %q %v", got, err)
	}
	hs := func(secret string) string {
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte(secret)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		jws, _ := s.Sign([]byte(`{}`))
		raw, _ := jws.CompactSerialize()
		return raw
	}
	if _, _, err := v.Verify(t.Context(), c, hs("s3cret-s3cret-s3cret-s3cret-s3cret"), [][]byte{[]byte("s3cret-s3cret-s3cret-s3cret-s3cret")}, anyType); err != nil {
		t.Fatalf("HS256 with the secret: %v", err)
	}
	for name, tok := range map[string]string{
		"another key":       stranger.sign(t, `{}`),
		"HS256, no secrets": hs("s3cret-s3cret-s3cret-s3cret-s3cret"),
		"alg none":          "eyJhbGciOiJub25lIn0.e30.",
		"unknown kid":       newKey(t, "b").sign(t, `{}`),
	} {
		if _, _, err := v.Verify(t.Context(), c, tok, nil, anyType); err == nil {
			t.Errorf("%s: verified", name)
		}
	}
	if _, _, err := v.Verify(t.Context(), model.Client{ID: "c2"}, k.sign(t, `{}`), nil, anyType); !errors.Is(err, clientkeys.ErrNoKey) {
		t.Errorf("client without keys: %v", err)
	}
}

// keyServer serves a JWK Set that the test changes, counting fetches.
type keyServer struct {
	mu      sync.Mutex
	doc     string
	fetches atomic.Int32
	srv     *httptest.Server
}

func newKeyServer(t *testing.T, doc string) *keyServer {
	ks := &keyServer{doc: doc}
	ks.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ks.fetches.Add(1)
		ks.mu.Lock()
		defer ks.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(ks.doc))
	}))
	t.Cleanup(ks.srv.Close)
	return ks
}

func (ks *keyServer) set(doc string) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	ks.doc = doc
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestVerifyURI: keys from a jwks_uri are fetched through the outbound
// client once and cached; a new kid (a rotation) refreshes them at once,
// but a stream of unknown kids refreshes at most once per MinRefresh; the
// cache expires after TTL; a failed refresh keeps the keys it had.
func TestVerifyURI(t *testing.T) {
	k1, k2 := newKey(t, "k1"), newKey(t, "k2")
	ks := newKeyServer(t, set(t, k1.public()))
	pool := x509.NewCertPool()
	pool.AddCert(ks.srv.Certificate())
	clk := &clock{now: time.Unix(1_800_000_000, 0)}
	v := &clientkeys.Verifier{HTTP: outbound.New(outbound.Options{AllowPrivate: true, RootCAs: pool}).For(outbound.ClientJWKS), Now: clk.Now}
	c := model.Client{ID: "c1", TenantID: "t1", JWKSURI: ks.srv.URL + "/jwks.json"}
	verify := func(k key) error { _, _, err := v.Verify(t.Context(), c, k.sign(t, `{}`), nil, anyType); return err }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(verify(k1))
	must(verify(k1))
	if n := ks.fetches.Load(); n != 1 {
		t.Fatalf("two verifications fetched %d times, want 1", n)
	}
	clk.add(clientkeys.MinRefresh)
	ks.set(set(t, k1.public(), k2.public())) // the client rotates
	must(verify(k2))
	if n := ks.fetches.Load(); n != 2 {
		t.Fatalf("a new kid fetched %d times in all, want 2", n)
	}
	for range 5 {
		if verify(newKey(t, "made-up")) == nil {
			t.Fatal("a made-up kid verified")
		}
	}
	if n := ks.fetches.Load(); n != 2 {
		t.Fatalf("unknown kids within MinRefresh fetched %d times in all, want still 2", n)
	}
	clk.add(clientkeys.MinRefresh)
	_ = verify(newKey(t, "made-up"))
	if n := ks.fetches.Load(); n != 3 {
		t.Fatalf("an unknown kid after MinRefresh: %d fetches, want 3", n)
	}
	ks.set(`not json`)
	clk.add(clientkeys.TTL)
	must(verify(k1)) // the refresh fails; the keys it had still serve
	c.JWKSURI = "http://" + strings.TrimPrefix(ks.srv.URL, "https://") + "/jwks.json"
	if err := verify(k1); err == nil {
		t.Fatal("an http jwks_uri was fetched")
	}
}

// FuzzParseSet: no document panics, and none that parses holds a private
// key or more keys than allowed.
func FuzzParseSet(f *testing.F) {
	k := newKey(f, "a")
	f.Add(set(f, k.public()))
	f.Add(set(f, jose.JSONWebKey{Key: k.priv, KeyID: "p"}))
	f.Add(`{"keys":[{"kty":"EC","crv":"P-256","x":"","y":""}]}`)
	f.Fuzz(func(t *testing.T, doc string) {
		s, err := clientkeys.ParseSet([]byte(doc))
		if err != nil {
			return
		}
		if len(s.Keys) > clientkeys.MaxKeys {
			t.Fatalf("%d keys accepted", len(s.Keys))
		}
		for _, k := range s.Keys {
			if !k.IsPublic() {
				t.Fatalf("a private key accepted: %q", doc)
			}
		}
	})
}
