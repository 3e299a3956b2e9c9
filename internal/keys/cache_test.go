package keys

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/guildgate/guildgate/internal/model"
)

// TestCacheSeesAnotherReplicasRotation: replica b trusts its cache for
// CacheTTL without touching the store, then one Version read (and one List,
// since the version moved) shows it a's rotation.
func TestCacheSeesAnotherReplicasRotation(t *testing.T) {
	st, c := newMemKeys(), newClock()
	a, b := newManager(t, st, c), newManager(t, st, c)
	before := signingKid(t, b, model.AlgEdDSA)
	if err := a.Rotate(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	calls := st.calls()
	c.Advance(DefaultCacheTTL - time.Millisecond)
	if kid := signingKid(t, b, model.AlgEdDSA); kid != before || st.calls() != calls {
		t.Fatalf("within CacheTTL: kid %s (was %s), %d store calls", kid, before, st.calls()-calls)
	}
	c.Advance(time.Millisecond)
	after := signingKid(t, b, model.AlgEdDSA)
	if after == before || after != signingKid(t, a, model.AlgEdDSA) {
		t.Fatalf("after CacheTTL b signs with %s; a with %s; before %s", after, signingKid(t, a, model.AlgEdDSA), before)
	}
	if n := st.vers.Load(); n == 0 {
		t.Fatal("no Version read")
	}
}

// TestFreshCacheNeverReadsTheStore: the signing path costs no query.
func TestFreshCacheNeverReadsTheStore(t *testing.T) {
	st := newMemKeys()
	m := newManager(t, st, newClock())
	signingKid(t, m, model.AlgES256)
	calls := st.calls()
	for range 1000 {
		if _, err := m.Sign(ctx, tenant, model.AlgES256, TypeAccessToken, []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
		if _, _, err := m.JWKS(ctx, tenant); err != nil {
			t.Fatal(err)
		}
	}
	if st.calls() != calls {
		t.Fatalf("%d store calls for cached signing", st.calls()-calls)
	}
}

// TestTokenSignedBeforeRotationVerifies against the JWKS body a relying
// party would fetch after the rotation.
func TestTokenSignedBeforeRotationVerifies(t *testing.T) {
	m := newManager(t, newMemKeys(), newClock())
	signed := map[string]string{}
	for _, alg := range Algorithms() {
		signed[alg] = sign(t, m, alg, TypeJWT, `{"sub":"x"}`)
	}
	if err := m.Rotate(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	body, _, _ := m.JWKS(ctx, tenant)
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		t.Fatal(err)
	}
	for alg, token := range signed {
		jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
		if err != nil {
			t.Fatal(err)
		}
		h := jws.Signatures[0].Header
		if typ := h.ExtraHeaders[jose.HeaderType]; typ != TypeJWT {
			t.Errorf("%s: typ = %v", alg, typ)
		}
		keys := set.Key(h.KeyID)
		if len(keys) != 1 {
			t.Fatalf("%s: kid %q not in the JWKS after rotation", alg, h.KeyID)
		}
		if _, err := jws.Verify(keys[0]); err != nil {
			t.Errorf("%s: %v", alg, err)
		}
	}
}

func TestSignRefusesUnknownAlgOrType(t *testing.T) {
	m := newManager(t, newMemKeys(), newClock())
	for _, c := range [][2]string{{model.AlgHS256, TypeJWT}, {"none", TypeJWT}, {model.AlgES256, "jwt"}, {model.AlgES256, ""}} {
		if s, err := m.Sign(ctx, tenant, c[0], c[1], []byte(`{}`)); err == nil || s != "" {
			t.Errorf("Sign(%q, %q) = %q, %v", c[0], c[1], s, err)
		}
	}
}

// TestSigningDuringRotation runs signers and rotations together under the
// race detector: every signature made must verify with a published key.
func TestSigningDuringRotation(t *testing.T) {
	st, c := newMemKeys(), newClock()
	a, b := newManager(t, st, c), newManager(t, st, c)
	b.CacheTTL = time.Nanosecond
	signingKid(t, b, model.AlgES256)
	var wg sync.WaitGroup
	wg.Go(func() {
		for range 3 {
			if err := a.Rotate(ctx, tenant); err != nil {
				t.Error(err)
			}
			c.Advance(time.Second)
		}
	})
	for range 4 {
		wg.Go(func() {
			for range 50 {
				token, err := b.Sign(ctx, tenant, model.AlgES256, TypeAccessToken, []byte("{}"))
				if err != nil {
					t.Error(err)
					return
				}
				jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.ES256})
				if err != nil {
					t.Error(err)
					return
				}
				key, err := b.PublicKey(ctx, tenant, jws.Signatures[0].Header.KeyID)
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := jws.Verify(key); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
}
