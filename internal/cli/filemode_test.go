//go:build !windows

package cli

import (
	"os"
	"strings"
	"testing"
)

// TestNarrowedDatabaseIsReported: a data command that finds the database
// readable by others makes it owner-only and says so.
func TestNarrowedDatabaseIsReported(t *testing.T) {
	h := newHarness(t)
	h.ok("", "member", "list")
	if err := os.Chmod(h.db, 0o644); err != nil {
		t.Fatal(err)
	}
	r := h.run("member", "list")
	if r.code != 0 || !strings.Contains(r.stderr, "guildgate: "+h.db+" was readable by other users (mode 0644); it is now owner-only\n") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if info, err := os.Stat(h.db); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("database mode after the command: %v, %v", info.Mode(), err)
	}
	if r := h.run("member", "list"); strings.Contains(r.stderr, "readable by other users") {
		t.Fatalf("reported again once narrowed: %q", r.stderr)
	}
}
