package tokens

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/keys"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/store"
)

var ctx = context.Background()

// memKeys is the smallest store.Keys that keeps the contract: Replace holds
// one lock across read, fn and write.
type memKeys struct {
	mu      sync.Mutex
	keys    map[string][]model.SigningKey
	version int64
}

var _ store.Keys = (*memKeys)(nil)

func (s *memKeys) List(_ context.Context, tenantID string) ([]model.SigningKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.keys[tenantID]), nil
}

func (s *memKeys) Replace(_ context.Context, tenantID string, fn func([]model.SigningKey) ([]model.SigningKey, error)) ([]model.SigningKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out, err := fn(slices.Clone(s.keys[tenantID]))
	if err != nil {
		return nil, err
	}
	s.keys[tenantID], s.version = slices.Clone(out), s.version+1
	return out, nil
}

func (s *memKeys) Version(context.Context) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version, nil
}

// clock is a fake time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

type fixture struct {
	clock  *clock
	iss    *Issuer
	tenant model.Tenant
	other  model.Tenant // a second tenant on the same Manager
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	keyring, err := secrets.NewKeyring(bytes.Repeat([]byte{7}, secrets.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	m := &keys.Manager{Store: &memKeys{keys: map[string][]model.SigningKey{}}, Secrets: keyring, Now: c.Now}
	return &fixture{
		clock:  c,
		iss:    &Issuer{Keys: m, Now: c.Now},
		tenant: model.Tenant{ID: "tenant-a", Issuer: "https://sso.example.org"},
		other:  model.Tenant{ID: "tenant-b", Issuer: "https://sso.other.example"},
	}
}

// jwksServer serves the tenant's JWKS body as the OIDC handler will, so
// relying-party libraries fetch and parse exactly what we publish.
func (f *fixture) jwksServer(t testing.TB, tenant model.Tenant) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _, err := f.iss.Keys.JWKS(r.Context(), tenant.ID)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

var secret = []byte("0123456789abcdef0123456789abcdef-client-secret")

func client(alg string) model.Client {
	return model.Client{ID: "3f2c7a8e-1b4d-4c6e-9a0f-5d7e8b9c0a1b", IDTokenAlg: alg}
}

// segments decodes a compact JWS's header and payload without verifying it.
func segments(t testing.TB, token string) (header, payload map[string]any) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWS: %q", token)
	}
	for i, v := range []*map[string]any{&header, &payload} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil || json.Unmarshal(raw, v) != nil {
			t.Fatalf("segment %d undecodable: %v", i, err)
		}
	}
	return header, payload
}

// verifyHS256 checks an HS256 JWS by hand, independently of go-jose.
func verifyHS256(t testing.TB, token string, key []byte) {
	t.Helper()
	i := strings.LastIndexByte(token, '.')
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(token[:i]))
	if want := base64.RawURLEncoding.EncodeToString(mac.Sum(nil)); token[i+1:] != want {
		t.Fatal("HS256 signature does not verify with the client secret")
	}
}
