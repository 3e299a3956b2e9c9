package tokens

import (
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/keys"
	"github.com/guildgate/guildgate/internal/model"
)

// TestVerifiedTokenCacheDecidesNothingAlone: a token verified once (and so
// cached) is still refused when it has expired since, when it is presented
// to another tenant, when one character differs, and when the key that
// signed it is no longer published.
func TestVerifiedTokenCacheDecidesNothingAlone(t *testing.T) {
	f := newFixture(t)
	raw, _, _, err := f.iss.AccessToken(ctx, accessParams(f))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second call is answered from the cache
		if _, err := f.iss.VerifyAccessToken(ctx, f.tenant, raw); err != nil {
			t.Fatalf("a fresh token: %v", err)
		}
	}
	if _, _, ok := f.iss.verified.get(f.tenant.ID, raw); !ok {
		t.Fatal("a verified token is not in the cache")
	}
	if _, err := f.iss.VerifyAccessToken(ctx, f.other, raw); err == nil {
		t.Error("a cached token was accepted for another tenant")
	}
	if _, err := f.iss.VerifyAccessToken(ctx, f.tenant, flip(raw)); err == nil {
		t.Error("a token differing in one character was accepted")
	}

	f.clock.Add(DefaultAccessTokenTTL + clockSkew)
	if _, err := f.iss.VerifyAccessToken(ctx, f.tenant, raw); err == nil {
		t.Error("a cached token was accepted after it expired")
	}

	fresh, _, _, err := f.iss.AccessToken(ctx, accessParams(f))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.iss.VerifyAccessToken(ctx, f.tenant, fresh); err != nil {
		t.Fatal(err)
	}
	if _, err := f.iss.Keys.Store.Replace(ctx, f.tenant.ID, func([]model.SigningKey) ([]model.SigningKey, error) {
		return nil, nil // every key of the tenant withdrawn
	}); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(keys.DefaultCacheTTL + time.Second) // the key cache's own bound, cached tokens or not
	if _, err := f.iss.VerifyAccessToken(ctx, f.tenant, fresh); err == nil {
		t.Error("a cached token was accepted after its key was withdrawn")
	}
}

// TestVerifiedTokenCacheIsBounded: the cache never holds more than its size.
func TestVerifiedTokenCacheIsBounded(t *testing.T) {
	var c verifiedCache
	for i := range 3 * verifiedCacheSize {
		c.put("t", time.Duration(i).String(), accessWire{}, "kid")
		if n := len(c.entries); n > verifiedCacheSize {
			t.Fatalf("%d entries after %d puts", n, i+1)
		}
	}
}
