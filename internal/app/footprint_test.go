package app_test

import (
	"bufio"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/config"
	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
	"github.com/guildgate/guildgate/internal/store/storetest"
	"github.com/guildgate/guildgate/internal/testenv"
)

// Footprint targets (issue 7): an idle replica stays under 50 MB resident,
// and the number of sessions lives in the database, not in the heap.
const idleRSSLimit = 50 << 20

// TestIdleFootprint measures the real binary, idle after start-up, on each
// database, through its own process_resident_memory_bytes metric.
func TestIdleFootprint(t *testing.T) {
	t.Parallel() // its own binaries, data and ports: see TestBinary
	bin := testenv.BuildBinary(t, "")
	for _, backend := range backends {
		t.Run(string(backend), func(t *testing.T) {
			var args []string
			if backend == testenv.Postgres {
				args = []string{"--database", storetest.PostgresDSN(t)}
			}
			dir, addr := t.TempDir(), testenv.FreeAddr(t)
			p := serveBinary(t, bin, dir, addr, append(args, "--data-dir", dir)...)
			c := tlsClient(t, waitHealthyTLS(t, p, dir, addr), addr)
			time.Sleep(time.Second) // idle, not starting
			if rss := metric(t, c, "process_resident_memory_bytes"); rss > idleRSSLimit {
				t.Fatalf("idle RSS %.1f MB, want at most %d MB", rss/(1<<20), idleRSSLimit>>20)
			} else {
				t.Logf("idle RSS %.1f MB", rss/(1<<20))
			}
		})
	}
}

// metric reads one unlabelled value from /metrics.
func metric(t *testing.T, c *http.Client, name string) float64 {
	t.Helper()
	resp, err := c.Get("https://localhost/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return f
		}
	}
	t.Fatalf("no %s in /metrics", name)
	return 0
}

// TestSessionsStayOutOfTheHeap: the server (in this process) serves a
// workload over 100 sessions, then the same workload over 10,000 distinct
// sessions out of 100,000 active ones; the live heap must not grow. A
// per-session cache of even 100 bytes would add 1 MB per 10,000 sessions.
func TestSessionsStayOutOfTheHeap(t *testing.T) {
	if testing.Short() || raceDetector {
		t.Skip("creates 100,000 sessions and measures the heap: not in -short or -race runs")
	}
	// The harness keeps the server's log in memory; at "warn" the access log
	// does not grow it between the two measurements.
	s := testenv.Start(t, testenv.SQLite, func(c *config.Config) { c.LogLevel = "warn" })
	addMember(t, s, "default", "ada@example.org", "correct horse battery")
	st, err := sqlstore.Open(t.Context(), s.Config.Database)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tenant, err := st.Tenants().GetBySlug(t.Context(), "default")
	if err != nil {
		t.Fatal(err)
	}
	member, err := st.Members().GetByEmail(t.Context(), tenant.ID, "ada@example.org")
	if err != nil {
		t.Fatal(err)
	}
	// The sample's cookies exist in both phases, so the test's own memory
	// is the same at both measurements.
	sample := make([]string, 10_000)
	for i := range sample {
		sample[i] = ids.NewToken(32)
	}
	addSessions(t, st, member, sample[:100], 0)
	browse(t, s, sample[:100], len(sample)) // warm up: connections, caches, pools
	browse(t, s, sample[:100], len(sample))
	before := liveHeap()

	addSessions(t, st, member, sample[100:], 100_000-len(sample))
	browse(t, s, sample, len(sample))
	after := liveHeap()
	t.Logf("live heap %.1f MB with 100 sessions, %.1f MB with 100,000", float64(before)/(1<<20), float64(after)/(1<<20))
	if after > before+(2<<20) {
		t.Fatalf("the live heap grew by %.1f MB with the sessions", float64(after-before)/(1<<20))
	}
}

// addSessions stores a session for each cookie, plus extra sessions whose
// cookies nobody keeps, all active: seen now, expiring in a day. The first
// goes through the store; the rest copy its row in one transaction, since
// 100,000 separate commits would take most of the test's time.
func addSessions(t *testing.T, st *sqlstore.Store, m model.Member, cookies []string, extra int) {
	t.Helper()
	now := time.Now().UTC()
	first := ids.Hash(cookies[0])
	err := st.Sessions().Create(t.Context(), model.Session{ID: first, TenantID: m.TenantID, MemberID: m.ID,
		AuthTime: now, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(24 * time.Hour), AMR: []string{"pwd"}})
	if err != nil {
		t.Fatal(err)
	}
	tx, err := st.DB().BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(t.Context(), `INSERT INTO sessions (tenant_id, id, member_id, auth_time,
		created_at, last_seen_at, expires_at, amr) SELECT tenant_id, $1, member_id, auth_time, created_at,
		last_seen_at, expires_at, amr FROM sessions WHERE tenant_id = $2 AND id = $3`)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(cookies)+extra; i++ {
		token := ids.NewToken(32)
		if i < len(cookies) {
			token = cookies[i]
		}
		if _, err := stmt.ExecContext(t.Context(), ids.Hash(token), m.TenantID, first); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// browse makes n signed-in page views spread over the sessions of cookies,
// eight at a time, and checks that each one was signed in.
func browse(t *testing.T, s *testenv.Server, cookies []string, n int) {
	t.Helper()
	var wg sync.WaitGroup
	for w := range 8 {
		c := s.Client(t)
		wg.Go(func() {
			defer c.CloseIdleConnections()
			for i := w; i < n; i += 8 {
				req, _ := http.NewRequest(http.MethodGet, s.URL+"/login", nil)
				req.AddCookie(&http.Cookie{Name: "__Host-gg_session", Value: cookies[i%len(cookies)]})
				status, body, _ := readPage(t, mustDo(t, c, req))
				if status != http.StatusOK || !strings.Contains(body, "ada@example.org") {
					t.Errorf("page view %d: status %d, not signed in", i, status)
					return
				}
			}
		})
	}
	wg.Wait()
}

func mustDo(t *testing.T, c *http.Client, req *http.Request) *http.Response {
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err))
	}
	return resp
}

// liveHeap is the heap that survives a full collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC() // the second frees what finalizers of the first released
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
