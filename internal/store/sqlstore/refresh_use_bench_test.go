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

// BenchmarkRefreshUseAccess is a refresh's use-and-read:
// RefreshTokens.UseAccess on tokens of their own, without and with the
// member's groups, many to one transaction so the commit is not what is
// measured.
func BenchmarkRefreshUseAccess(b *testing.B) {
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
							hashes[i] = fmt.Sprintf("refresh-%d", seq.Add(1))
							rt := model.RefreshToken{Hash: hashes[i], TenantID: tn, GrantID: g.ID, ClientID: g.ClientID,
								MemberID: g.MemberID, Scopes: g.Scopes, AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
							if err := tx.RefreshTokens().Create(ctx, rt); err != nil {
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
							u, first, err := tx.RefreshTokens().UseAccess(ctx, tn, h, now, withGroups)
							if err != nil || !first || u.Access == nil {
								return fmt.Errorf("first %v, access %v: %v", first, u.Access != nil, err)
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
