package sqlstore_test

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

// BenchmarkSQLiteRotateParallel is the store's part of a refresh rotation,
// from many goroutines at once on one SQLite file: in one Store.Atomic, use
// a refresh token, store its successor and append an audit row. With
// -cpu 1 and -cpu 4 it runs 8 and 32 goroutines (SetParallelism(8)): the
// writers queue for SQLite's one writer connection, which is what the
// group commit is about.
func BenchmarkSQLiteRotateParallel(b *testing.B) {
	s := storetest.NewSQLite(b)
	ctx := b.Context()
	now := time.Now().UTC().Truncate(time.Microsecond)
	tn := model.Tenant{ID: ids.NewUUID(), Slug: "bench", Name: "Bench", Issuer: "https://bench.idp.example",
		AfterLogoutURL: "https://bench.example/", CreatedAt: now, UpdatedAt: now}
	mustB(b, s.Tenants().Create(ctx, tn))
	c := model.Client{ID: "bench-client", TenantID: tn.ID, Name: "Bench", RedirectURIs: []string{"https://app.example/cb"},
		IDTokenAlg: model.AlgES256, GrantTypes: []string{model.GrantAuthorizationCode, model.GrantRefreshToken},
		CreatedAt: now, UpdatedAt: now}
	mustB(b, s.Clients().Create(ctx, c))
	m := model.Member{ID: ids.NewUUID(), TenantID: tn.ID, Email: "ada@example.org", Name: "Ada",
		Status: model.StatusCurrent, CreatedAt: now, UpdatedAt: now}
	mustB(b, s.Members().Create(ctx, m))
	g := model.Grant{ID: ids.NewUUID(), TenantID: tn.ID, ClientID: c.ID, MemberID: m.ID,
		Scopes: []string{"openid", "offline_access"}, AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour)}
	mustB(b, s.Grants().Create(ctx, g))
	token := func() model.RefreshToken {
		return model.RefreshToken{Hash: ids.NewToken(32), TenantID: tn.ID, GrantID: g.ID, ClientID: c.ID,
			MemberID: m.ID, Scopes: g.Scopes, AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	}
	olds := make([]model.RefreshToken, b.N)
	for i := range olds {
		olds[i] = token()
		mustB(b, s.RefreshTokens().Create(ctx, olds[i]))
	}
	var next atomic.Int64
	b.SetParallelism(8)
	b.ReportAllocs()
	cpu0 := processCPU(b)
	b.ResetTimer()
	var lat latencies
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		defer func() { lat.add(mine) }()
		for pb.Next() {
			old := olds[next.Add(1)-1]
			t0 := time.Now()
			err := s.Atomic(ctx, func(tx store.Tx) error {
				_, first, err := tx.RefreshTokens().Use(ctx, tn.ID, old.Hash, now)
				if err != nil || !first {
					return fmt.Errorf("use: first %v, %w", first, err)
				}
				if err := tx.RefreshTokens().Create(ctx, token()); err != nil {
					return err
				}
				return tx.Audit().Append(ctx, model.AuditEvent{TenantID: tn.ID, At: now, Actor: "client:" + c.ID,
					Action: "token.refresh", Target: "grant:" + g.ID, Detail: map[string]string{}})
			})
			mine = append(mine, time.Since(t0))
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	lat.report(b)
	// CPU per operation is steadier than ns/op on a machine shared with
	// other work, and shows what waiting for the writer costs.
	b.ReportMetric(float64((processCPU(b)-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
}

// processCPU is the CPU time (user and system) this process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSQLiteAuditAppendParallel is client_credentials' one write, an
// audit row outside any transaction, from 8 goroutines per core: plain
// writes share commits through the same queue.
func BenchmarkSQLiteAuditAppendParallel(b *testing.B) {
	s := storetest.NewSQLite(b)
	ctx := b.Context()
	now := time.Now().UTC().Truncate(time.Microsecond)
	tn := model.Tenant{ID: ids.NewUUID(), Slug: "bench", Name: "Bench", Issuer: "https://bench.idp.example",
		AfterLogoutURL: "https://bench.example/", CreatedAt: now, UpdatedAt: now}
	mustB(b, s.Tenants().Create(ctx, tn))
	b.SetParallelism(8)
	b.ReportAllocs()
	cpu0 := processCPU(b)
	b.ResetTimer()
	var lat latencies
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		defer func() { lat.add(mine) }()
		for pb.Next() {
			t0 := time.Now()
			err := s.Audit().Append(ctx, model.AuditEvent{TenantID: tn.ID, At: now, Actor: "client:bench",
				Action: "token.client_credentials", Target: "client:bench", Detail: map[string]string{}})
			mine = append(mine, time.Since(t0))
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	lat.report(b)
	b.ReportMetric(float64((processCPU(b)-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
}

// latencies gathers the goroutines' operation times, for the tail a
// writer sees while another group commits (or checkpoints): p99 and max.
type latencies struct {
	mu  sync.Mutex
	all []time.Duration
}

func (l *latencies) add(d []time.Duration) {
	l.mu.Lock()
	l.all = append(l.all, d...)
	l.mu.Unlock()
}

func (l *latencies) report(b *testing.B) {
	if len(l.all) == 0 {
		return
	}
	slices.Sort(l.all)
	b.ReportMetric(float64(l.all[len(l.all)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(float64(l.all[len(l.all)-1].Microseconds()), "max-µs")
}
