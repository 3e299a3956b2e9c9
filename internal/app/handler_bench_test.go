package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/app"
	"github.com/guildgate/guildgate/internal/config"
	"github.com/guildgate/guildgate/internal/password"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
)

// BenchmarkPublicDocuments measures the fixed cost every request pays in
// the middleware chain (request id, access log, metrics, security headers,
// HTTPS gate, tenant) on the two cheapest endpoints, without TLS or the
// network. "warn" is the load bench's log level, "info" the default one.
func BenchmarkPublicDocuments(b *testing.B) {
	for _, level := range []slog.Level{slog.LevelWarn, slog.LevelInfo} {
		h := benchHandler(b, level)
		for _, path := range []string{"/.well-known/jwks.json", "/.well-known/openid-configuration"} {
			b.Run(level.String()+path, func(b *testing.B) {
				r := httptest.NewRequest(http.MethodGet, "https://localhost:8443"+path, nil)
				b.ReportAllocs()
				start := processCPU()
				for b.Loop() {
					w := httptest.NewRecorder()
					h.ServeHTTP(w, r)
					if w.Code != http.StatusOK {
						b.Fatalf("status %d", w.Code)
					}
				}
				// CPU time, GC included, holds up better than ns/op on a
				// machine shared with other work.
				b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// processCPU is the CPU time the process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchHandler(b *testing.B, level slog.Level) http.Handler {
	a, _, _ := benchApp(b, level)
	return a.Handler
}

// benchApp is the app on a fresh SQLite store, with a cheap hasher (64 KiB)
// so that no benchmark measures argon2id's cost; the store and hasher come
// with it, to set up what a benchmark needs.
func benchApp(b *testing.B, level slog.Level) (*app.App, *sqlstore.Store, *password.Hasher) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = b.TempDir()
	cfg.Database, cfg.Issuer = filepath.Join(cfg.DataDir, "guildgate.db"), "https://localhost:8443"
	st, err := app.OpenStore(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	keyring, err := secrets.NewKeyring(secrets.GenerateKey())
	if err != nil {
		b.Fatal(err)
	}
	hasher := password.NewHasher(password.Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	a, err := app.New(ctx, app.Deps{Store: st, Config: cfg, Now: time.Now, Keyring: keyring,
		Logger: slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: level})), Hasher: hasher})
	if err != nil {
		b.Fatal(err)
	}
	return a, st, hasher
}

// BenchmarkChain is BenchmarkPublicDocuments without httptest's recorder,
// whose own copies and buffers outweigh the chain: each request gets a
// fresh header map, as net/http gives it, and its body is discarded. What
// is left is the app's own cost per request, allocations included.
func BenchmarkChain(b *testing.B) {
	h := benchHandler(b, slog.LevelWarn)
	for _, path := range []string{"/.well-known/jwks.json", "/.well-known/openid-configuration"} {
		b.Run(path[len("/.well-known/"):], func(b *testing.B) {
			r := httptest.NewRequest(http.MethodGet, "https://localhost:8443"+path, nil)
			b.ReportAllocs()
			for b.Loop() {
				w := &discardWriter{header: make(http.Header)}
				h.ServeHTTP(w, r)
				if w.status != http.StatusOK {
					b.Fatalf("status %d", w.status)
				}
			}
		})
	}
}

// discardWriter is the least a ResponseWriter does: keep the header map
// and the status.
type discardWriter struct {
	header http.Header
	status int
}

func (w *discardWriter) Header() http.Header { return w.header }

func (w *discardWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *discardWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return len(p), nil
}
