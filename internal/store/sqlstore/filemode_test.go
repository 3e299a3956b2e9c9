//go:build !windows

package sqlstore_test

import (
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	"github.com/guildgate/guildgate/internal/store/sqlstore"
)

// permissiveUmask lets every file be created world-readable and writable
// for the rest of the test (umask is per process: these tests are not
// parallel, so no other test runs meanwhile).
func permissiveUmask(t *testing.T) {
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
}

func wantOwnerOnly(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %04o, want 0600", filepath.Base(p), info.Mode().Perm())
		}
	}
}

// TestSQLiteFilesOwnerOnly is finding 10: the database, its write-ahead
// log and its shared-memory file are created 0600 even with umask 0 in a
// world-writable directory (SQLite alone makes them 0644 less the umask).
func TestSQLiteFilesOwnerOnly(t *testing.T) {
	permissiveUmask(t)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "guildgate.db")
	s, err := sqlstore.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(t.Context()); err != nil { // writes, so WAL mode makes -wal and -shm
		t.Fatal(err)
	}
	if n := s.NarrowedFiles(); len(n) != 0 {
		t.Errorf("a new database reported narrowed files: %v", n)
	}
	wantOwnerOnly(t, path, path+"-wal", path+"-shm")
}

// TestSQLiteWiderFilesNarrowed: files left readable by others (an older
// version, a restored backup) are narrowed when the store opens, and named.
func TestSQLiteWiderFilesNarrowed(t *testing.T) {
	permissiveUmask(t)
	path := filepath.Join(t.TempDir(), "guildgate.db")
	s, err := sqlstore.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+"-shm", nil, 0o666); err != nil { // an empty index SQLite rebuilds
		t.Fatal(err)
	}
	s, err = sqlstore.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	got := s.NarrowedFiles()
	want := []sqlstore.ModeChange{{Path: path, Was: 0o644}, {Path: path + "-shm", Was: 0o666}}
	if !slices.Equal(got, want) {
		t.Errorf("narrowed %v, want %v", got, want)
	}
	wantOwnerOnly(t, path, path+"-wal", path+"-shm")
}
