package app

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/config"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

// The jobs loop with two replicas on one store, on a fake clock and a fast
// renewal tick. Each replica's store wrapper counts its sweeps; one can
// also "crash", i.e. stop without releasing the lease.

// replicaStore is the shared store as one replica sees it.
type replicaStore struct {
	store.Store
	sweeps *atomic.Int32
	crash  bool // Release does nothing, as when the process is killed
}

func (s replicaStore) Sessions() store.Sessions { return countSweeps{s.Store.Sessions(), s.sweeps} }

func (s replicaStore) Leases() store.Leases {
	if s.crash {
		return noRelease{s.Store.Leases()}
	}
	return s.Store.Leases()
}

type countSweeps struct {
	store.Sessions
	n *atomic.Int32
}

func (c countSweeps) DeleteExpired(ctx context.Context, now, idleBefore time.Time) (int64, error) {
	c.n.Add(1)
	return c.Sessions.DeleteExpired(ctx, now, idleBefore)
}

type noRelease struct{ store.Leases }

func (noRelease) Release(context.Context, string, string) error { return nil }

// fakeClock is shared by the replicas, as NTP-synchronised clocks would be.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

type replica struct {
	app    *App
	sweeps atomic.Int32
	stop   func() // cancels RunJobs and waits for it to return
}

func startReplica(t *testing.T, shared store.Store, dataDir string, clock *fakeClock, crash bool) *replica {
	t.Helper()
	r := &replica{}
	cfg := config.Default()
	cfg.DataDir, cfg.Issuer = dataDir, "https://localhost:8443"
	a, err := New(t.Context(), Deps{Store: replicaStore{shared, &r.sweeps, crash}, Config: cfg,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	a.jobs = jobTiming{interval: time.Hour, ttl: 30 * time.Second, renew: 5 * time.Millisecond}
	r.app = a
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); a.RunJobs(ctx) }()
	r.stop = sync.OnceFunc(func() { cancel(); <-done })
	t.Cleanup(r.stop)
	return r
}

func holder(t *testing.T, s store.Store) string {
	t.Helper()
	l, err := s.Leases().Get(t.Context(), jobsLease)
	if err != nil {
		return ""
	}
	return l.Holder
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// TestJobsOncePerCluster: only the lease holder sweeps; a holder that shuts
// down releases the lease and the other replica takes over at its next tick.
func TestJobsOncePerCluster(t *testing.T) {
	shared, dir := storetest.NewSQLite(t), t.TempDir()
	clock := &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	a := startReplica(t, shared, dir, clock, false)
	eventually(t, "A to sweep", func() bool { return a.sweeps.Load() == 1 })
	b := startReplica(t, shared, dir, clock, false)
	time.Sleep(20 * b.app.jobs.renew)
	if n := b.sweeps.Load(); n != 0 || holder(t, shared) != a.app.replica {
		t.Fatalf("B swept %d times while A held the lease (holder %q)", n, holder(t, shared))
	}
	a.stop()
	eventually(t, "B to take the jobs over", func() bool {
		return holder(t, shared) == b.app.replica && b.sweeps.Load() == 1
	})
	if n := a.sweeps.Load(); n != 1 {
		t.Fatalf("A swept %d times, want 1 (interval is an hour)", n)
	}
}

// TestJobsCrashedHolder: a holder that dies without releasing keeps the jobs
// from the others until its lease expires, and not a moment longer.
func TestJobsCrashedHolder(t *testing.T) {
	shared, dir := storetest.NewSQLite(t), t.TempDir()
	clock := &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	a := startReplica(t, shared, dir, clock, true)
	eventually(t, "A to sweep", func() bool { return a.sweeps.Load() == 1 })
	a.stop()
	b := startReplica(t, shared, dir, clock, false)
	clock.Add(a.app.jobs.ttl - time.Millisecond)
	time.Sleep(20 * b.app.jobs.renew)
	if n := b.sweeps.Load(); n != 0 || holder(t, shared) != a.app.replica {
		t.Fatalf("B swept %d times before the dead holder's lease expired (holder %q)", n, holder(t, shared))
	}
	clock.Add(time.Millisecond)
	eventually(t, "B to take the jobs over", func() bool {
		return holder(t, shared) == b.app.replica && b.sweeps.Load() == 1
	})
}
