package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMigrateCopyRefusals: `migrate --from --to` refuses every malformed
// command line with exit 2 before opening anything, and never creates the
// SQLite file it was asked to read.
func TestMigrateCopyRefusals(t *testing.T) {
	h := newHarness(t)
	h.ok("", "migrate") // a real source file for the cases that need one
	pg := "postgres://gg:s3cret@127.0.0.1:1/none?sslmode=disable&connect_timeout=5"
	missing := filepath.Join(t.TempDir(), "nope.db")
	for _, c := range []struct {
		want string
		args []string
	}{
		{"missing required flag --to", []string{"--from", h.db}},
		{"missing required flag --from", []string{"--to", pg}},
		{"--to must be a postgres:// URL", []string{"--from", h.db, "--to", filepath.Join(t.TempDir(), "x.db")}},
		{"--from must be an SQLite database file", []string{"--from", pg, "--to", pg}},
		{"--database does not go with --from and --to", []string{"--from", h.db, "--to", pg, "--database", h.db}},
		{"no SQLite database at " + missing, []string{"--from", missing, "--to", pg}},
		{"unexpected argument", []string{"--from", h.db, "--to", pg, "extra"}},
	} {
		h.fails(2, c.want, "", append([]string{"migrate"}, c.args...)...)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Fatalf("migrate created the missing source file: %v", err)
	}
}

// TestMigrateCopyUnreachableTarget: a target that does not answer is a
// runtime failure (exit 1) whose message never shows the URL's password.
func TestMigrateCopyUnreachableTarget(t *testing.T) {
	h := newHarness(t)
	h.ok("", "migrate")
	r := h.run("migrate", "--from", h.db, "--to", "postgres://gg:s3cret@127.0.0.1:1/none?sslmode=disable&connect_timeout=5")
	if r.code != 1 || !strings.Contains(r.stderr, "target") || strings.Contains(r.stderr, "s3cret") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
}
