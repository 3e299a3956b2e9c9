// Package testenv starts the real Guildgate server (app.Run: real listener,
// real self-signed TLS, real store) inside a test, on SQLite or PostgreSQL,
// and drives the real CLI code path against the same database. Test-only:
// nothing in the binary imports it.
package testenv

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/app"
	"github.com/guildgate/guildgate/internal/cli"
	"github.com/guildgate/guildgate/internal/config"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

// Server is a running Guildgate.
type Server struct {
	URL      string // the default tenant's issuer, https://localhost:<port>
	Addr     string // 127.0.0.1:<port>
	Config   config.Config
	Logs     *SyncBuffer // everything the server logged
	Stdout   *SyncBuffer // the banner
	certPool *x509.CertPool
	stop     func() // shuts the server down, once
}

// Backend names a store for Start.
type Backend string

const (
	SQLite   Backend = "sqlite"
	Postgres Backend = "postgres"
)

// Start runs the server until the test ends. edit may change the config
// before start (nil for none).
func Start(t testing.TB, backend Backend, edit func(*config.Config)) *Server {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Addr = freeAddr(t)
	cfg.Issuer = "https://localhost:" + cfg.Addr[strings.LastIndex(cfg.Addr, ":")+1:]
	cfg.Database = filepath.Join(cfg.DataDir, "guildgate.db")
	if backend == Postgres {
		cfg.Database = storetest.PostgresDSN(t)
	}
	cfg.ShutdownTimeout = 5 * time.Second
	if edit != nil {
		edit(&cfg)
	}
	s := &Server{URL: cfg.Issuer, Addr: cfg.Addr, Config: cfg, Logs: &SyncBuffer{}, Stdout: &SyncBuffer{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx, cfg, s.Stdout, s.Logs) }()
	s.stop = sync.OnceFunc(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server stopped with error: %v", err)
		}
	})
	t.Cleanup(s.stop)
	s.waitReady(t, done)
	return s
}

// Stop shuts the server down as SIGTERM would (in-flight requests finish,
// background work stops, the store closes), for tests in which one replica
// goes away. The test's end stops every server anyway.
func (s *Server) Stop() { s.stop() }

// waitReady polls /readyz until the server answers, and loads the
// self-signed certificate it generated so clients can verify it.
func (s *Server) waitReady(t testing.TB, done <-chan error) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("server exited during start: %v\nlogs:\n%s", err, s.Logs)
		default:
		}
		if s.certPool == nil && s.Config.ServesTLS() {
			s.certPool = loadPool(filepath.Join(s.Config.DataDir, "localhost-cert.pem"))
		}
		if resp, err := s.client(nil, false).Get(s.URL + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("server not ready in time; logs:\n%s", s.Logs)
}

func loadPool(certFile string) *x509.CertPool {
	pem, err := os.ReadFile(certFile)
	if err != nil {
		return nil
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil
	}
	return pool
}

// Client returns an HTTPS client that trusts the server's certificate, dials
// the server whatever the URL's host (so other tenants' hosts work), keeps
// cookies, and does not follow redirects.
func (s *Server) Client(t testing.TB) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return s.client(jar, false)
}

// FollowingClient is Client but follows redirects.
func (s *Server) FollowingClient(t testing.TB) *http.Client {
	jar, _ := cookiejar.New(nil)
	return s.client(jar, true)
}

func (s *Server) client(jar http.CookieJar, follow bool) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: s.certPool, ServerName: "localhost"},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, s.Addr)
		},
	}
	c := &http.Client{Transport: tr, Jar: jar, Timeout: 30 * time.Second}
	if !follow {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return c
}

// CLI runs a guildgate subcommand in-process against the server's database
// and data directory, so it shares the server's master key, and under its
// outbound policy (for `connection test`).
func (s *Server) CLI(t testing.TB, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	env := map[string]string{"GUILDGATE_DATABASE": s.Config.Database, "GUILDGATE_DATA_DIR": s.Config.DataDir}
	if s.Config.AllowPrivateUpstreams {
		env["GUILDGATE_ALLOW_PRIVATE_UPSTREAMS"] = "true"
	}
	return runCLI(env, stdin, args...)
}

// RunCLI runs a guildgate subcommand in-process against database, with
// dataDir holding the master key (a temporary one when empty, so no test
// ever writes into the working directory).
func RunCLI(t testing.TB, database, dataDir, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	return runCLI(map[string]string{"GUILDGATE_DATABASE": database, "GUILDGATE_DATA_DIR": dataDir}, stdin, args...)
}

// runCLI runs a subcommand with env as its whole environment.
func runCLI(env map[string]string, stdin string, args ...string) (stdout, stderr string, code int) {
	var out, errOut bytes.Buffer
	code = cli.Main(context.Background(), args, strings.NewReader(stdin), &out, &errOut,
		func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	return out.String(), errOut.String(), code
}

// MustCLI is CLI that fails the test on a non-zero exit.
func (s *Server) MustCLI(t testing.TB, stdin string, args ...string) string {
	t.Helper()
	out, errOut, code := s.CLI(t, stdin, args...)
	if code != 0 {
		t.Fatalf("guildgate %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	return out
}

// SyncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Format lets SyncBuffer print with %s.
func (b *SyncBuffer) Format(f fmt.State, _ rune) { fmt.Fprint(f, b.String()) }
