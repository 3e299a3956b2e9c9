package oidc_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/upstream"
	upoidc "github.com/guildgate/guildgate/internal/upstream/oidc"
	"github.com/guildgate/guildgate/internal/upstream/oidc/oidctest"
)

// TestJWKSFailureRemembered: when the provider's JWKS fails, sign-ins
// fail without asking it again for 30 seconds, then it is asked again, and
// once it answers the new key is used.
func TestJWKSFailureRemembered(t *testing.T) {
	p := newOP(t)
	var mu sync.Mutex
	now := clock
	rpNow := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }
	k, err := upoidc.New(context.Background(), connection(p, nil), p.ClientSecret,
		upoidc.Options{Outbound: reach(p), Now: rpNow})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := signIn(t, p, k); err != nil {
		t.Fatal(err)
	}
	p.Rotate(t, "k2", false) // tokens now name a key the connector has not seen
	p.Set(func(p *oidctest.Provider) { p.JWKSDown = true })
	jwks := func() (n int) {
		p.Set(func(p *oidctest.Provider) { n = p.JWKSRequests })
		return n
	}
	before := jwks()
	for range 3 {
		_, err := signIn(t, p, k)
		wantKind(t, err, upstream.Invalid)
	}
	if n := jwks() - before; n != 1 {
		t.Fatalf("the failing JWKS was fetched %d times for 3 sign-ins", n)
	}
	advance(31 * time.Second)
	p.Set(func(p *oidctest.Provider) { p.JWKSDown = false })
	if _, err := signIn(t, p, k); err != nil {
		t.Fatalf("after the failure expired: %v", err)
	}
	if n := jwks() - before; n != 2 {
		t.Fatalf("JWKS fetched %d times in all, want 2", n)
	}
}
