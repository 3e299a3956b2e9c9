package keys

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/secrets"
)

// TestPrivateKeysStoredEncrypted: nothing in a stored row parses as a key,
// in any encoding a careless implementation might have used.
func TestPrivateKeysStoredEncrypted(t *testing.T) {
	st := newMemKeys()
	if err := newManager(t, st, newClock()).Ensure(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	keys, _ := st.List(ctx, tenant)
	for _, k := range keys {
		if strings.Contains(k.PrivateKey, "PRIVATE") || strings.Contains(k.PrivateKey, "-----") {
			t.Fatalf("key %s stored as PEM", k.ID)
		}
		for _, part := range append(strings.Split(k.PrivateKey, "."), k.PrivateKey) {
			for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
				if der, err := enc.DecodeString(part); err == nil {
					if _, err := x509.ParsePKCS8PrivateKey(der); err == nil {
						t.Fatalf("key %s: stored value decodes to a private key", k.ID)
					}
				}
			}
		}
		assertPublicOnly(t, []byte(k.PublicJWK))
	}
}

// assertPublicOnly fails when a JWK (or JWK Set) carries any private member.
func assertPublicOnly(t *testing.T, raw []byte) {
	t.Helper()
	for _, private := range []string{`"d"`, `"p"`, `"q"`, `"dp"`, `"dq"`, `"qi"`, `"k"`} {
		if strings.Contains(string(raw), private) {
			t.Fatalf("private member %s published: %s", private, raw)
		}
	}
}

func TestJWKSPublishesPublicKeysWithMetadata(t *testing.T) {
	m := newManager(t, newMemKeys(), newClock())
	body, etag, err := m.JWKS(ctx, tenant)
	if err != nil {
		t.Fatal(err)
	}
	assertPublicOnly(t, body)
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil || len(set.Keys) != 6 {
		t.Fatalf("JWKS %s: %v", body, err)
	}
	wantKty := map[string]string{"RS256": "RSA", "ES256": "EC", "EdDSA": "OKP"}
	for _, k := range set.Keys {
		alg, _ := k["alg"].(string)
		if k["use"] != "sig" || k["kid"] == "" || k["kty"] != wantKty[alg] {
			t.Errorf("JWK %v lacks use/kid/kty for its alg", k)
		}
	}
	if _, again, _ := m.JWKS(ctx, tenant); again != etag || !strings.HasPrefix(etag, `"`) {
		t.Fatalf("ETag %s then %s", etag, again)
	}
	if err := m.Rotate(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	if _, after, _ := m.JWKS(ctx, tenant); after == etag {
		t.Fatal("ETag unchanged after rotation")
	}
}

func TestWrongMasterKeyIsAClearError(t *testing.T) {
	st := newMemKeys()
	if err := newManager(t, st, newClock()).Ensure(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	other := &Manager{Store: st, Secrets: testKeyring(t, 2), Now: newClock().Now}
	_, err := other.Sign(ctx, tenant, model.AlgRS256, TypeJWT, []byte(`{}`))
	if !errors.Is(err, secrets.ErrDecrypt) || !strings.Contains(err.Error(), "master key") {
		t.Fatalf("err = %v", err)
	}
	if _, _, err := other.JWKS(ctx, tenant); err == nil {
		t.Fatal("JWKS served keys that cannot be opened")
	}
	if err := (&Manager{Store: st, Now: time.Now}).Rotate(ctx, tenant); err == nil {
		t.Fatal("rotated without a master key")
	}
}

// TestRowsAreBoundToTheirPlace: a sealed key copied to another tenant or
// relabelled with another kid or algorithm no longer opens.
func TestRowsAreBoundToTheirPlace(t *testing.T) {
	st := newMemKeys()
	if err := newManager(t, st, newClock()).Ensure(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	keys, _ := st.List(ctx, tenant)
	for name, edit := range map[string]func(*model.SigningKey){
		"tenant": func(k *model.SigningKey) { k.TenantID = "tenant-2" },
		"kid":    func(k *model.SigningKey) { k.ID = "aaaaaaaaaaaaaaaa" },
		"alg":    func(k *model.SigningKey) { k.Alg = model.AlgES256 },
	} {
		k := keys[0]
		for _, c := range keys { // an RS256 key, so the alg edit really changes it
			if c.Alg == model.AlgRS256 {
				k = c
			}
		}
		edit(&k)
		if _, err := open(testKeyring(t, 1), k); !errors.Is(err, secrets.ErrDecrypt) {
			t.Errorf("%s moved: err = %v", name, err)
		}
	}
}

// TestStoredPublicJWKIsNotTrusted: someone who can write the database but
// lacks the master key swaps a key's PublicJWK for their own; the JWKS
// still shows the real key.
func TestStoredPublicJWKIsNotTrusted(t *testing.T) {
	st := newMemKeys()
	m := newManager(t, st, newClock())
	kid := signingKid(t, m, model.AlgES256)
	evil, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	forged, _ := json.Marshal(jose.JSONWebKey{Key: evil.Public(), KeyID: kid, Algorithm: "ES256", Use: "sig"})
	keys, _ := st.List(ctx, tenant)
	for i := range keys {
		if keys[i].ID == kid {
			keys[i].PublicJWK = string(forged)
		}
	}
	st.put(tenant, keys)
	m.invalidate(tenant)
	got, err := m.PublicKey(ctx, tenant, kid)
	if err != nil {
		t.Fatal(err)
	}
	if got.Key.(*ecdsa.PublicKey).Equal(evil.Public()) {
		t.Fatal("JWKS published the key from the stored PublicJWK column")
	}
}
