package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

// TestSQLiteAuditAppendsTogether: many appends at once (written in shared
// transactions on SQLite) each learn their own outcome: an event of a
// tenant that does not exist fails alone, with the foreign-key error, and
// every other one is stored exactly once.
func TestSQLiteAuditAppendsTogether(t *testing.T) {
	s := storetest.NewSQLite(t)
	ctx := t.Context()
	now := time.Now().UTC()
	tn := oneTenant(t, s, now)
	const n = 60
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			tenant := tn.ID
			if i%10 == 3 {
				tenant = "no-such-tenant"
			}
			errs[i] = s.Audit().Append(ctx, model.AuditEvent{TenantID: tenant, At: now, Actor: "test",
				Action: "test.append", Target: fmt.Sprint("n:", i)})
		})
	}
	wg.Wait()
	for i, err := range errs {
		switch {
		case i%10 == 3 && !errors.Is(err, model.ErrNotFound):
			t.Errorf("append %d (unknown tenant): %v, want ErrNotFound", i, err)
		case i%10 != 3 && err != nil:
			t.Errorf("append %d: %v", i, err)
		}
	}
	seen := byTarget(storedEvents(t, s, tn.ID, "test.append"))
	for i := range n {
		if want := map[bool]int{true: 0, false: 1}[i%10 == 3]; seen[fmt.Sprint("n:", i)] != want {
			t.Errorf("event %d stored %d times, want %d", i, seen[fmt.Sprint("n:", i)], want)
		}
	}
}

// TestSQLiteAuditRowsWrittenTogether: audit appends queued behind a held
// transaction, with transactions arriving among them, each learn their own
// outcome (in whatever order they arrive): a row of
// an unknown tenant fails alone (its statement is backed out, the others
// are written one by one), a request cancelled before its turn is not
// written, a failed transaction among them takes no row with it, and
// every other row is stored exactly once.
func TestSQLiteAuditRowsWrittenTogether(t *testing.T) {
	s := storetest.NewSQLite(t)
	ctx := t.Context()
	now := time.Now().UTC()
	tn := oneTenant(t, s, now)
	appendRow := func(ctx context.Context, tenant, target string) error {
		return s.Audit().Append(ctx, model.AuditEvent{TenantID: tenant, At: now, Actor: "test",
			Action: "test.rows", Target: target})
	}
	errBoom := errors.New("boom")
	held, hold := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		_ = s.Atomic(ctx, func(store.Tx) error { close(held); <-hold; return nil })
	})
	<-held
	arrived0, _ := s.CommitQueue()
	const n = 48
	kinds := []string{"ok", "ok", "ok", "unknown tenant", "ok", "cancelled", "ok", "failed transaction"}
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			target := fmt.Sprint("n:", i)
			switch kinds[i%len(kinds)] {
			case "unknown tenant":
				errs[i] = appendRow(ctx, "no-such-tenant", target)
			case "cancelled":
				ctx, cancel := context.WithCancel(ctx)
				cancel()
				errs[i] = appendRow(ctx, tn.ID, target)
			case "failed transaction":
				errs[i] = s.Atomic(ctx, func(tx store.Tx) error {
					if err := tx.Audit().Append(ctx, model.AuditEvent{TenantID: tn.ID, At: now, Actor: "test",
						Action: "test.rows", Target: target}); err != nil {
						return err
					}
					return errBoom
				})
			default:
				errs[i] = appendRow(ctx, tn.ID, target)
			}
		})
	}
	awaitWriterAsked(t, s, arrived0+int64(n-n/len(kinds)), hold) // cancelled ones may never ask
	close(hold)
	wg.Wait()

	stored := map[bool]int{true: 1, false: 0}
	for i, err := range errs {
		kind := kinds[i%len(kinds)]
		switch {
		case kind == "unknown tenant" && !errors.Is(err, model.ErrNotFound):
			t.Errorf("append %d (unknown tenant): %v, want ErrNotFound", i, err)
		case kind == "cancelled" && !errors.Is(err, context.Canceled):
			t.Errorf("append %d (cancelled): %v, want context.Canceled", i, err)
		case kind == "failed transaction" && !errors.Is(err, errBoom):
			t.Errorf("transaction %d: %v, want its own error", i, err)
		case kind == "ok" && err != nil:
			t.Errorf("append %d: %v", i, err)
		}
	}
	seen := byTarget(storedEvents(t, s, tn.ID, "test.rows"))
	for i := range n {
		if want := stored[kinds[i%len(kinds)] == "ok"]; seen[fmt.Sprint("n:", i)] != want {
			t.Errorf("event %d (%s) stored %d times, want %d", i, kinds[i%len(kinds)], seen[fmt.Sprint("n:", i)], want)
		}
	}
}

// TestSQLiteAuditRowsShareOneInsert: rows waiting together, with no
// transaction between them, are written by one INSERT; when one of them is
// refused, the statement is backed out and the rows are written one by one,
// so only the refused row's request fails.
func TestSQLiteAuditRowsShareOneInsert(t *testing.T) {
	s := storetest.NewSQLite(t)
	ctx := t.Context()
	now := time.Now().UTC()
	tn := oneTenant(t, s, now)
	// queued appends rows of tenants behind a held transaction, lets it go
	// once all have asked for the writer, and returns their errors and how
	// many multi-row INSERTs were run meanwhile.
	queued := func(phase string, tenants ...string) ([]error, int64) {
		t.Helper()
		held, hold := make(chan struct{}), make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			_ = s.Atomic(ctx, func(store.Tx) error { close(held); <-hold; return nil })
		})
		<-held
		statements0 := s.AuditRowStatements()
		arrived0, _ := s.CommitQueue()
		errs := make([]error, len(tenants))
		for i, tenant := range tenants {
			wg.Go(func() {
				errs[i] = s.Audit().Append(ctx, model.AuditEvent{TenantID: tenant, At: now, Actor: "test",
					Action: "test.one-insert", Target: fmt.Sprint(phase, ":", i)})
			})
		}
		awaitWriterAsked(t, s, arrived0+int64(len(tenants)), hold)
		// A job counts itself before it waits on the queue; let the last
		// ones get there, so the committer finds them all waiting.
		time.Sleep(20 * time.Millisecond)
		close(hold)
		wg.Wait()
		return errs, s.AuditRowStatements() - statements0
	}

	errs, statements := queued("together", tn.ID, tn.ID, tn.ID, tn.ID, tn.ID, tn.ID)
	for i, err := range errs {
		if err != nil {
			t.Errorf("append %d: %v", i, err)
		}
	}
	if statements == 0 {
		t.Error("six rows waiting together were written one by one, not by one INSERT")
	}

	errs, statements = queued("refused", tn.ID, tn.ID, "no-such-tenant", tn.ID)
	for i, err := range errs {
		switch {
		case i == 2 && !errors.Is(err, model.ErrNotFound):
			t.Errorf("append %d (unknown tenant): %v, want ErrNotFound", i, err)
		case i != 2 && err != nil:
			t.Errorf("append %d: %v", i, err)
		}
	}
	if statements != 0 {
		t.Errorf("%d multi-row INSERTs succeeded with a refused row among the rows", statements)
	}
	seen := byTarget(storedEvents(t, s, tn.ID, "test.one-insert"))
	want := map[string]int{"together:0": 1, "together:1": 1, "together:2": 1, "together:3": 1, "together:4": 1,
		"together:5": 1, "refused:0": 1, "refused:1": 1, "refused:3": 1}
	if !maps.Equal(seen, want) {
		t.Errorf("stored rows by target: %v, want %v", seen, want)
	}
}
