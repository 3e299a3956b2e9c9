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
							hashes[i] = fmt.Sprintf("code-%d", seq.Add(1))
							c := model.AuthCode{Hash: hashes[i], TenantID: tn, GrantID: g.ID, ClientID: g.ClientID,
								MemberID: g.MemberID, SessionID: "s1", RedirectURI: "https://rp.example/cb", Scopes: g.Scopes,
								Nonce: "n", AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
							if err := tx.AuthCodes().Create(ctx, c); err != nil {
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
							ca, first, err := tx.AuthCodes().ConsumeAccess(ctx, tn, h, now, withGroups)
							if err != nil || !first || ca.Access == nil {
								return fmt.Errorf("first %v, access %v: %v", first, ca.Access != nil, err)
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
