package federation_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/store/sqlstore"
	"github.com/guildgate/guildgate/internal/testenv"
	"github.com/guildgate/guildgate/internal/upstream/oidc/oidctest"
)

// TestStartRateLimited: /auth/sso/start, which anyone may call and which
// stores a round trip each time, is limited per client address; a refused
// start is a 429 with Retry-After that stores nothing.
func TestStartRateLimited(t *testing.T) {
	a := newAcme(t)
	start := "/auth/sso/start?connection=" + a.connID
	b := newBrowser(t, a.s)
	allowed := 0
	for range 100 {
		p := b.get(start)
		if p.status == http.StatusTooManyRequests {
			break
		}
		if p.status != http.StatusSeeOther {
			t.Fatalf("start: %d\n%s", p.status, p.body)
		}
		allowed++
	}
	if allowed < 30 || allowed == 100 {
		t.Fatalf("%d starts went through before a refusal; want the burst of 30 and then a refusal", allowed)
	}
	req, _ := http.NewRequest(http.MethodGet, a.s.URL+start, nil)
	resp, err := b.gg.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if wait, _ := strconv.Atoi(resp.Header.Get("Retry-After")); resp.StatusCode != http.StatusTooManyRequests || wait < 1 {
		t.Fatalf("refused start: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if n := count(t, a.s, "upstream_states"); n != allowed {
		t.Fatalf("%d round trips stored for %d allowed starts", n, allowed)
	}
	if _, _, tokens := a.p.Snapshot(); tokens != 0 {
		t.Fatalf("the provider was asked for %d tokens", tokens)
	}
}

// TestFailingProviderNotRefetched: a connection whose provider fails is
// not asked again by every start: the failure is remembered for a while,
// and each start ends on the "not set up correctly" page at once.
func TestFailingProviderNotRefetched(t *testing.T) {
	var hits atomic.Int32
	broken := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "down for maintenance", http.StatusInternalServerError)
	}))
	broken.TLS = &tls.Config{Certificates: []tls.Certificate{upstreamCert}}
	broken.StartTLS()
	t.Cleanup(broken.Close)
	s := startWithUpstreams(t, testenv.SQLite)
	id := addConnection(t, s, "secret", "--name", "Broken", "--discovery-url", broken.URL, "--client-id", "x",
		"--domains", "broken.example")
	b := newBrowser(t, s)
	for range 5 {
		wantRefused(t, b.get("/auth/sso/start?connection="+id), http.StatusBadGateway, "not set up correctly")
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("the failing provider was asked %d times for 5 starts", n)
	}
	if n := count(t, s, "upstream_states"); n != 0 {
		t.Fatalf("%d round trips stored for failed starts", n)
	}
}

// TestSlowProviderAskedOnce: starts that arrive while the provider's
// discovery document is being fetched wait for that fetch instead of each
// making their own.
func TestSlowProviderAskedOnce(t *testing.T) {
	a := newAcme(t)
	var fetches atomic.Int32
	release := make(chan struct{})
	a.p.Set(func(p *oidctest.Provider) {
		p.Discovery = func(map[string]any) {
			if fetches.Add(1) == 1 {
				<-release
			}
		}
	})
	var wg sync.WaitGroup
	pages := make([]page, 5)
	for i := range pages {
		wg.Go(func() { pages[i] = newBrowser(t, a.s).get("/auth/sso/start?connection=" + a.connID) })
	}
	time.Sleep(500 * time.Millisecond) // let every start reach the server; not an assertion
	close(release)
	wg.Wait()
	for _, p := range pages {
		if p.status != http.StatusSeeOther {
			t.Fatalf("start: %d\n%s", p.status, p.body)
		}
	}
	if n := fetches.Load(); n != 1 {
		t.Fatalf("discovery fetched %d times for 5 concurrent starts", n)
	}
}

// count reads a table's row count straight from the store.
func count(t *testing.T, s *testenv.Server, table string) int {
	t.Helper()
	st, err := sqlstore.Open(t.Context(), s.Config.Database)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var n int
	if err := st.DB().QueryRowContext(t.Context(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
