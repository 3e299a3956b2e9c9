package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

// BenchmarkGrantAccess is what userinfo reads from the store per call for
// a member's token with the groups claim: the four reads it made before
// (IsRevoked, Grants.Get, Members.Get, Groups.ListForMember) against the one
// Grants.Access, and the same read in the columns userinfo uses
// (Grants.TokenAccess), on SQLite and (when GUILDGATE_TEST_POSTGRES is set)
// PostgreSQL, whose own CPU is not in the figures.
func BenchmarkGrantAccess(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			s := benchStore(b, backend)
			tn, g, jti := accessFixture(b, s)
			ctx := context.Background()
			b.Run("four-reads", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := s.Revocations().IsRevoked(ctx, tn, jti); err != nil {
						b.Fatal(err)
					}
					if _, err := s.Grants().Get(ctx, tn, g.ID); err != nil {
						b.Fatal(err)
					}
					if _, err := s.Members().Get(ctx, tn, g.MemberID); err != nil {
						b.Fatal(err)
					}
					if _, err := s.Groups().ListForMember(ctx, tn, g.MemberID); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("one-read", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := s.Grants().Access(ctx, tn, g.ID, jti, true); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("one-read-token-columns", func(b *testing.B) {
				b.ReportAllocs()
				ctx := b.Context() // cancellable, as a request's is
				for b.Loop() {
					if _, err := s.Grants().TokenAccess(ctx, tn, g.ID, jti, true); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// accessFixture is a member in two groups with a grant to one client.
func accessFixture(b *testing.B, s store.Store) (string, model.Grant, string) {
	ctx, now := context.Background(), time.Now().UTC().Truncate(time.Microsecond)
	tn := model.Tenant{ID: "t1", Slug: "t1", Name: "T", Issuer: "https://t1.example", CreatedAt: now, UpdatedAt: now}
	m := model.Member{ID: "m1", TenantID: tn.ID, Email: "ada@example.org", Name: "Ada", Status: model.StatusCurrent, CreatedAt: now, UpdatedAt: now}
	c := model.Client{ID: "c1", TenantID: tn.ID, Name: "App", IDTokenAlg: model.AlgRS256, CreatedAt: now, UpdatedAt: now}
	g := model.Grant{ID: "g1", TenantID: tn.ID, ClientID: c.ID, MemberID: m.ID, Scopes: []string{"openid", "groups"},
		AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	mustB(b, s.Tenants().Create(ctx, tn))
	mustB(b, s.Members().Create(ctx, m))
	mustB(b, s.Clients().Create(ctx, c))
	mustB(b, s.Grants().Create(ctx, g))
	for _, name := range []string{"Board", "Chess"} {
		gr := model.Group{ID: name, TenantID: tn.ID, Name: name, CreatedAt: now, UpdatedAt: now}
		mustB(b, s.Groups().Create(ctx, gr))
		mustB(b, s.Groups().AddMember(ctx, tn.ID, gr.ID, m.ID))
	}
	return tn.ID, g, "jti-1"
}

func mustB(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}

// benchStore is a migrated store of backend ("sqlite" or "postgres", the
// latter only with GUILDGATE_TEST_POSTGRES) for the benchmarks here.
func benchStore(b *testing.B, backend string) store.Store {
	if backend == "postgres" {
		storetest.PostgresURL(b)
		return storetest.NewPostgres(b)
	}
	return storetest.NewSQLite(b)
}
