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

// BenchmarkRefreshAccess is what a refresh reads before it rotates, for a
// client open to all members: RefreshTokens.Get then Grants.Access, as it
// did, against the one RefreshTokens.GetAccess, on SQLite and (with
// GUILDGATE_TEST_POSTGRES) PostgreSQL, whose own CPU is not counted.
func BenchmarkRefreshAccess(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			s := benchStore(b, backend)
			tn, g, _ := accessFixture(b, s)
			ctx, now := context.Background(), time.Now().UTC().Truncate(time.Microsecond)
			rt := model.RefreshToken{Hash: "h1", TenantID: tn, GrantID: g.ID, ClientID: g.ClientID, MemberID: g.MemberID,
				Scopes: g.Scopes, AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
			mustB(b, s.RefreshTokens().Create(ctx, rt))
			b.Run("two-reads", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := s.RefreshTokens().Get(ctx, tn, rt.Hash); err != nil {
						b.Fatal(err)
					}
					if _, err := s.Grants().Access(ctx, tn, g.ID, "", false); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("one-read", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := s.RefreshTokens().GetAccess(ctx, tn, rt.Hash, false); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// BenchmarkRefreshMarkUsed is a refresh's marking of its token inside the
// refresh's transaction: Use, whose row nobody reads, against MarkUsed,
// each on tokens of their own, many to one transaction so the commit is
// not what is measured.
func BenchmarkRefreshMarkUsed(b *testing.B) {
	var benchSeq atomic.Int64
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			s := benchStore(b, backend)
			tn, g, _ := accessFixture(b, s)
			ctx, now := context.Background(), time.Now().UTC().Truncate(time.Microsecond)
			for _, way := range []string{"use", "mark-used"} {
				b.Run(way, func(b *testing.B) {
					hashes := make([]string, b.N)
					mustB(b, s.Atomic(ctx, func(tx store.Tx) error {
						for i := range hashes {
							hashes[i] = fmt.Sprintf("%s-%d", way, benchSeq.Add(1))
							rt := model.RefreshToken{Hash: hashes[i], TenantID: tn, GrantID: g.ID, ClientID: g.ClientID,
								MemberID: g.MemberID, Scopes: g.Scopes, AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
							if err := tx.RefreshTokens().Create(ctx, rt); err != nil {
								return err
							}
						}
						return nil
					}))
					b.ReportAllocs()
					b.ResetTimer()
					mustB(b, s.Atomic(ctx, func(tx store.Tx) error {
						for _, h := range hashes {
							var first bool
							var err error
							if way == "use" {
								_, first, err = tx.RefreshTokens().Use(ctx, tn, h, now)
							} else {
								first, err = tx.RefreshTokens().MarkUsed(ctx, tn, h, now)
							}
							if err != nil || !first {
								return fmt.Errorf("first %v: %v", first, err)
							}
						}
						return nil
					}))
				})
			}
		})
	}
}
