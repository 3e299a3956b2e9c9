package tokens

import (
	"crypto/sha256"
	"testing"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
)

// The benchmarks run on one goroutine, so ns/op is the cost per core. Each
// is meant to be read as a ratio to BenchmarkBaselineSHA256 (hashing one
// random token, what looking up a code or refresh token costs), which makes
// the figures comparable across machines.

func BenchmarkBaselineSHA256(b *testing.B) {
	token := []byte(ids.NewToken(32))
	for b.Loop() {
		sha256.Sum256(token)
	}
}

func BenchmarkIDToken(b *testing.B) {
	f := newFixture(b)
	for _, alg := range []string{model.AlgRS256, model.AlgES256, model.AlgEdDSA, model.AlgHS256} {
		b.Run(alg, func(b *testing.B) {
			p := idParams(f, alg)
			if _, err := f.iss.IDToken(ctx, p); err != nil { // warms the key cache
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := f.iss.IDToken(ctx, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkAccessTokenES256(b *testing.B) {
	f := newFixture(b)
	p := accessParams(f)
	if _, _, _, err := f.iss.AccessToken(ctx, p); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, err := f.iss.AccessToken(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyAccessToken(b *testing.B) {
	f := newFixture(b)
	token, _, _, err := f.iss.AccessToken(ctx, accessParams(f))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.iss.VerifyAccessToken(ctx, f.tenant, token); err != nil {
			b.Fatal(err)
		}
	}
}
