package app_test

import (
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/app"
	"github.com/guildgate/guildgate/internal/config"
	"github.com/guildgate/guildgate/internal/password"
)

// TestServeMakesNoSecondMasterKey: serve makes the key on a fresh
// database's first start, beside the database; once the database holds
// sealed values (the signing keys made then), a start without that key is
// refused with the place it looked, and makes no key.
func TestServeMakesNoSecondMasterKey(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Database = filepath.Join(cfg.DataDir, "guildgate.db")
	cfg.Issuer = "https://localhost:8443"
	keyFile := filepath.Join(cfg.DataDir, "master.key")
	start := func() error {
		st, err := app.OpenStore(t.Context(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		_, err = app.New(t.Context(), app.Deps{Store: st, Config: cfg, Now: time.Now,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Hasher: password.NewHasher(password.Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})})
		return err
	}
	if err := start(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(keyFile); err != nil {
		t.Fatalf("the first start made no key beside the database: %v", err)
	}
	if err := start(); err != nil {
		t.Fatalf("a restart with the key: %v", err)
	}
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}
	err := start()
	if err == nil || !strings.Contains(err.Error(), keyFile) || !strings.Contains(err.Error(), "GUILDGATE_MASTER_KEY") {
		t.Fatalf("a start without the key of a sealed database: %v", err)
	}
	if _, err := os.Stat(keyFile); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("the refused start made a second key")
	}
}
