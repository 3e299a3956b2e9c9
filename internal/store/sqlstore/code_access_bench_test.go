package sqlstore_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// BenchmarkCodeConsumeAccess is a code exchange's read-and-consume:
// AuthCodes.ConsumeAccess on codes of their own, without and with the
// member's groups, many to one transaction so the commit is not what is
// measured.
func BenchmarkCodeConsumeAccess(b *testing.B) {
	benchRedeem(b, "code", func(ctx context.Context, tx store.Tx, c model.AuthCode) error {
		c.SessionID, c.RedirectURI, c.Nonce, c.ExpiresAt = "s1", "https://rp.example/cb", "n", c.CreatedAt.Add(time.Minute)
		return tx.AuthCodes().Create(ctx, c)
	}, func(ctx context.Context, tx store.Tx, tn, h string, now time.Time, withGroups bool) (bool, bool, error) {
		ca, first, err := tx.AuthCodes().ConsumeAccess(ctx, tn, h, now, withGroups)
		return first, ca.Access != nil, err
	})
}

// BenchmarkRefreshUseAccess is a refresh's use-and-read:
// RefreshTokens.UseAccess on tokens of their own, as
// BenchmarkCodeConsumeAccess.
func BenchmarkRefreshUseAccess(b *testing.B) {
	benchRedeem(b, "refresh", func(ctx context.Context, tx store.Tx, c model.AuthCode) error {
		return tx.RefreshTokens().Create(ctx, model.RefreshToken{Hash: c.Hash, TenantID: c.TenantID, GrantID: c.GrantID,
			ClientID: c.ClientID, MemberID: c.MemberID, Scopes: c.Scopes, AuthTime: c.AuthTime, CreatedAt: c.CreatedAt,
			ExpiresAt: c.CreatedAt.Add(time.Hour)})
	}, func(ctx context.Context, tx store.Tx, tn, h string, now time.Time, withGroups bool) (bool, bool, error) {
		u, first, err := tx.RefreshTokens().UseAccess(ctx, tn, h, now, withGroups)
		return first, u.Access != nil, err
	})
}

// benchRedeem stores b.N values of the fixture's grant with create (given
// as a code: hash, grant, client, member, scopes and times), then times
// redeem on each, on both backends, without and with groups.
func benchRedeem(b *testing.B, kind string, create func(context.Context, store.Tx, model.AuthCode) error,
	redeem func(ctx context.Context, tx store.Tx, tn, h string, now time.Time, withGroups bool) (first, access bool, err error)) {
	var seq atomic.Int64
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			s := benchStore(b, backend)
			tn, g, _ := accessFixture(b, s)
			ctx, now := context.Background(), time.Now().UTC().Truncate(time.Microsecond)
			for _, withGroups := range []bool{false, true} {
				b.Run(fmt.Sprintf("groups=%v", withGroups), func(b *testing.B) {
					hashes := make([]string, b.N)
					mustB(b, s.Atomic(ctx, func(tx store.Tx) error {
						for i := range hashes {
							hashes[i] = fmt.Sprintf("%s-%d", kind, seq.Add(1))
							if err := create(ctx, tx, model.AuthCode{Hash: hashes[i], TenantID: tn, GrantID: g.ID,
								ClientID: g.ClientID, MemberID: g.MemberID, Scopes: g.Scopes, AuthTime: now, CreatedAt: now}); err != nil {
								return err
							}
						}
						return nil
					}))
					b.ReportAllocs()
					cpu0 := processCPU(b)
					b.ResetTimer()
					mustB(b, s.Atomic(ctx, func(tx store.Tx) error {
						for _, h := range hashes {
							if first, access, err := redeem(ctx, tx, tn, h, now, withGroups); err != nil || !first || !access {
								return fmt.Errorf("first %v, access %v: %v", first, access, err)
							}
						}
						return nil
					}))
					b.StopTimer()
					// The process's CPU time per call moves less than the wall
					// time on a machine shared with other work.
					b.ReportMetric(float64((processCPU(b)-cpu0).Nanoseconds())/float64(b.N)/1e3, "cpu-µs/op")
				})
			}
		})
	}
}
