package clients

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
)

// BenchmarkAuthenticate is the token endpoint's client check once the
// cache is warm: the cost per client_credentials request before signing.
// Compare with BenchmarkBaselineSHA256, the hash it cannot avoid.
func BenchmarkAuthenticate(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	v := f.create(Input{Name: "Batch", GrantTypes: []string{"client_credentials"}})
	if _, err := f.svc.RotateSecret(ctx, "cli", f.tenant, v.ID, time.Hour); err != nil { // two live secrets
		b.Fatal(err)
	}
	r, err := f.svc.Get(ctx, f.tenant, v.ID)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := f.svc.Authenticate(ctx, f.tenant, v.ID, r.Secret); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.svc.Authenticate(ctx, f.tenant, v.ID, r.Secret); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthenticateParallel shows the cache does not serialize readers.
func BenchmarkAuthenticateParallel(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	v := f.create(Input{Name: "Batch", GrantTypes: []string{"client_credentials"}})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := f.svc.Authenticate(ctx, f.tenant, v.ID, v.Secret); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkBaselineSHA256(b *testing.B) {
	secret := []byte(ids.NewToken(secretBytes))
	var sum [sha256.Size]byte
	for b.Loop() {
		sum = sha256.Sum256(secret)
	}
	_ = sum
}
