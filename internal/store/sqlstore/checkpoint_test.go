package sqlstore_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
)

// TestSQLiteCheckpointsOffTheWriter: the writer checkpoints by itself only
// as a backstop, at 10,000 pages; after the last of many writes the
// store's checkpointer copies the whole WAL into the database. A clean
// Close leaves no WAL behind, and every write is there on reopening.
func TestSQLiteCheckpointsOffTheWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "guildgate.db")
	s, err := sqlstore.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if got := s.WALAutocheckpoint(ctx); got != 10000 {
		t.Errorf("writer's wal_autocheckpoint = %d, want the backstop 10000", got)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	tn := model.Tenant{ID: ids.NewUUID(), Slug: "one", Name: "One", Issuer: "https://one.idp.example",
		AfterLogoutURL: "https://one.example/", CreatedAt: now, UpdatedAt: now}
	if err := s.Tenants().Create(ctx, tn); err != nil {
		t.Fatal(err)
	}
	const n = 1500 // each with a 4 KiB name: at least a page a member
	for i := range n {
		m := model.Member{ID: fmt.Sprint("m-", i), TenantID: tn.ID, Email: fmt.Sprintf("m%d@example.org", i),
			Name: strings.Repeat("n", 4096), Status: model.StatusCurrent, CreatedAt: now, UpdatedAt: now}
		if err := s.Members().Create(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	runs0, _, _ := s.Checkpoints()
	var frames, copied int64
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var runs int64
		if runs, frames, copied = s.Checkpoints(); runs > runs0 && frames > 0 && copied == frames {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint copied the WAL: %d runs, latest %d of %d frames", runs, copied, frames)
		}
	}
	t.Logf("the checkpointer copied %d frames", copied)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		t.Errorf("a clean close left a WAL of %d bytes", fi.Size())
	}
	s, err = sqlstore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, i := range []int{0, n / 2, n - 1} {
		if _, err := s.Members().Get(ctx, tn.ID, fmt.Sprint("m-", i)); err != nil {
			t.Errorf("member %d after reopening: %v", i, err)
		}
	}
}
