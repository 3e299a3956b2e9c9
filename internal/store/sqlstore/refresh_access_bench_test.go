package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

// BenchmarkRefreshAccess is what a refresh reads before it rotates, for a
// client open to all members: RefreshTokens.Get then Grants.Access, as it
// did, against the one RefreshTokens.GetAccess, on SQLite and (with
// GUILDGATE_TEST_POSTGRES) PostgreSQL, whose own CPU is not counted.
func BenchmarkRefreshAccess(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			var s store.Store
			if backend == "postgres" {
				storetest.PostgresURL(b)
				s = storetest.NewPostgres(b)
			} else {
				s = storetest.NewSQLite(b)
			}
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
