package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/guildgate/guildgate/internal/arrival"
	"github.com/guildgate/guildgate/internal/certs"
	"github.com/guildgate/guildgate/internal/config"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
)

// Run serves until ctx is cancelled (SIGINT/SIGTERM in main), then stops
// accepting, lets in-flight requests finish within cfg.ShutdownTimeout and
// closes the store.
func Run(ctx context.Context, cfg config.Config, stdout, stderr io.Writer) error {
	logger := NewLogger(cfg, stderr)
	st, err := OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, c := range st.NarrowedFiles() {
		logger.Warn("a database file was readable by other users; it is now owner-only",
			"file", c.Path, "mode_was", fmt.Sprintf("%04o", c.Was))
	}
	a, err := New(ctx, Deps{Store: st, Config: cfg, Logger: logger, Now: time.Now})
	if err != nil {
		return err
	}
	// Start-up churns through some 35 MB that is garbage once it is done
	// (the 19 MiB argon2id timing-equaliser hash, key generation, template
	// parsing). Left to the runtime it would stay resident for minutes: an
	// idle server does not collect, and the scavenger returns pages slowly.
	// Handing it back now keeps an idle replica's RSS at its working set.
	debug.FreeOSMemory()
	srv, ln, err := listen(cfg, a.Handler, logger)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, a.Banner())
	a.printSetupLink(ctx, stdout)
	// The jobs stop before the deferred Close, so that they release the
	// jobs lease while the store is still open: the other replicas then take
	// the jobs over at once instead of after the lease's TTL.
	jobsCtx, stopJobs := context.WithCancel(ctx)
	jobsDone := make(chan struct{})
	go func() { defer close(jobsDone); a.RunJobs(jobsCtx) }()
	err = serve(ctx, srv, ln, cfg.ShutdownTimeout, logger)
	stopJobs()
	<-jobsDone
	return err
}

// OpenStore opens and migrates the configured database, creating the data
// directory for SQLite with owner-only permissions.
func OpenStore(ctx context.Context, cfg config.Config) (*sqlstore.Store, error) {
	if cfg.SQLite() {
		if err := os.MkdirAll(filepath.Dir(cfg.Database), 0o700); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	}
	st, err := sqlstore.Open(ctx, cfg.Database)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// NewLogger builds the process logger in the configured level and format.
func NewLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel)) // validated by config
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func listen(cfg config.Config, h http.Handler, logger *slog.Logger) (*http.Server, net.Listener, error) {
	srv := &http.Server{
		Handler:           arrival.Handler(h),
		ConnContext:       arrival.ConnContext,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelDebug),
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	if !cfg.ServesTLS() {
		return srv, ln, nil
	}
	tlsCfg, err := tlsConfig(cfg)
	if err != nil {
		ln.Close()
		return nil, nil, err
	}
	srv.TLSConfig = tlsCfg
	return srv, ln, nil
}

func tlsConfig(cfg config.Config) (*tls.Config, error) {
	certFile, keyFile := cfg.TLSCert, cfg.TLSKey
	if cfg.TLSSelfSigned() {
		var err error
		if certFile, keyFile, _, err = certs.EnsureSelfSigned(cfg.DataDir, time.Now()); err != nil {
			return nil, err
		}
	}
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("load TLS certificate: %w", err)
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{pair}}, nil
}

func serve(ctx context.Context, srv *http.Server, ln net.Listener, grace time.Duration, logger *slog.Logger) error {
	errc := make(chan error, 1)
	go func() {
		if srv.TLSConfig != nil {
			errc <- srv.ServeTLS(ln, "", "")
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down", "grace", grace.String())
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("stopped")
	return nil
}
