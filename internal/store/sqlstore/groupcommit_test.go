package sqlstore_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

// TestSQLiteGroupCommitKeepsEachOutcome holds one transaction open until
// thirty more wait for the writer, so that they are committed as a group,
// and checks that each learns its own outcome and keeps only its own
// work: a success is stored; a returned error, a panic, a context ended
// mid-transaction, runtime.Goexit and a unique conflict with the group's
// first (uncommitted, yet visible to those after it, as to a transaction
// after it) each undo only their own writes. A failed one too is answered
// only after the commit: a caller told of a conflict finds the row it
// conflicted with. Each also appends an audit row, which the committer
// writes for the group (auditrows.go): only those of the transactions that
// succeeded are stored.
func TestSQLiteGroupCommitKeepsEachOutcome(t *testing.T) {
	s := storetest.NewSQLite(t)
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Microsecond)
	tn := model.Tenant{ID: ids.NewUUID(), Slug: "one", Name: "One", Issuer: "https://one.idp.example",
		AfterLogoutURL: "https://one.example/", CreatedAt: now, UpdatedAt: now}
	if err := s.Tenants().Create(ctx, tn); err != nil {
		t.Fatal(err)
	}
	member := func(i int) model.Member {
		return model.Member{ID: fmt.Sprint("m-", i), TenantID: tn.ID, Email: fmt.Sprintf("m%d@example.org", i),
			Status: model.StatusCurrent, CreatedAt: now, UpdatedAt: now}
	}
	audit := func(ctx context.Context, tx store.Tx, i int) error {
		return tx.Audit().Append(ctx, model.AuditEvent{TenantID: tn.ID, At: now, Actor: "test", Action: "test.write",
			Target: member(i).ID, Detail: map[string]string{"i": fmt.Sprint(i)}})
	}
	errBoom := errors.New("boom")
	const n = 30
	kinds := []string{"ok", "error", "panic", "cancel", "goexit", "conflict"}
	errs := make([]error, n+1)
	panicked := make([]any, n+1)
	winnerSeen := make([]error, n+1)

	held, hold := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		errs[0] = s.Atomic(ctx, func(tx store.Tx) error {
			if err := tx.Members().Create(ctx, member(0)); err != nil {
				return err
			}
			if err := audit(ctx, tx, 0); err != nil {
				return err
			}
			close(held)
			<-hold
			return nil
		})
	})
	<-held
	arrived0, groups0 := s.CommitQueue()
	for i := 1; i <= n; i++ {
		wg.Go(func() {
			defer func() { panicked[i] = recover() }()
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			errs[i] = s.Atomic(ctx, func(tx store.Tx) error {
				if err := tx.Members().Create(ctx, member(i)); err != nil {
					return err
				}
				if err := audit(ctx, tx, i); err != nil {
					return err
				}
				switch kinds[i%len(kinds)] {
				case "error":
					return errBoom
				case "panic":
					panic(errBoom)
				case "cancel":
					cancel()
					return tx.Members().Create(ctx, member(1000+i))
				case "goexit":
					runtime.Goexit()
				case "conflict":
					m := member(0)
					m.ID = fmt.Sprint("dup-", i)
					return tx.Members().Create(ctx, m)
				}
				return nil
			})
			if kinds[i%len(kinds)] == "conflict" {
				_, winnerSeen[i] = s.Members().Get(ctx, tn.ID, member(0).ID)
			}
		})
	}
	awaitWriterAsked(t, s, arrived0+n, hold)
	close(hold)
	wg.Wait()
	_, groups := s.CommitQueue()
	t.Logf("%d transactions behind the held one took %d more groups", n, groups-groups0)
	if groups-groups0 > n/2 {
		t.Errorf("%d waiting transactions took %d groups: they were not committed together", n, groups-groups0)
	}

	if errs[0] != nil {
		t.Errorf("the held transaction: %v", errs[0])
	}
	for i := 1; i <= n; i++ {
		kind := kinds[i%len(kinds)]
		var ok bool
		switch kind {
		case "ok":
			ok = errs[i] == nil
		case "error":
			ok = errors.Is(errs[i], errBoom)
		case "panic":
			ok = panicked[i] == errBoom
		case "cancel":
			ok = errors.Is(errs[i], context.Canceled)
		case "goexit":
			ok = errs[i] == nil && panicked[i] == nil // never returned
		case "conflict":
			ok = errors.Is(errs[i], model.ErrConflict)
			if winnerSeen[i] != nil {
				t.Errorf("transaction %d was told of a conflict with a member it then could not read: %v", i, winnerSeen[i])
			}
		}
		if !ok {
			t.Errorf("transaction %d (%s): returned %v, panicked %v", i, kind, errs[i], panicked[i])
		}
		_, err := s.Members().Get(ctx, tn.ID, member(i).ID)
		if stored := err == nil; stored != (kind == "ok") {
			t.Errorf("transaction %d (%s): its member stored = %v (%v)", i, kind, stored, err)
		}
	}
	if _, err := s.Members().Get(ctx, tn.ID, member(0).ID); err != nil {
		t.Errorf("the held transaction's member: %v", err)
	}
	events, err := s.Audit().List(ctx, tn.ID, store.AuditQuery{Action: "test.write", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	audited := map[string]bool{}
	for _, e := range events.Items {
		if audited[e.Target] || e.Detail["i"] == "" {
			t.Errorf("audit row %+v twice or without its detail", e)
		}
		audited[e.Target] = true
	}
	for i := 0; i <= n; i++ {
		if want := i == 0 || kinds[i%len(kinds)] == "ok"; audited[member(i).ID] != want {
			t.Errorf("transaction %d (%s): its audit row stored = %v", i, kinds[i%len(kinds)], audited[member(i).ID])
		}
	}
}

// TestSQLiteGroupsFormOnOneCPU runs 32 writers on one CPU, as the server
// runs, each doing some work of its own (a request's parsing and signing)
// before each write, half of the writes transactions and half plain
// statements. Writers that are runnable when the committer finds the queue
// empty must still join its group: each group must average more than two
// jobs. Every write must be answered without error and be stored.
func TestSQLiteGroupsFormOnOneCPU(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	s := storetest.NewSQLite(t)
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Microsecond)
	tn := model.Tenant{ID: ids.NewUUID(), Slug: "one", Name: "One", Issuer: "https://one.idp.example",
		AfterLogoutURL: "https://one.example/", CreatedAt: now, UpdatedAt: now}
	if err := s.Tenants().Create(ctx, tn); err != nil {
		t.Fatal(err)
	}
	const writers, each = 32, 20
	errs := make([]error, writers*each)
	arrived0, groups0 := s.CommitQueue()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			sum := sha256.Sum256([]byte{byte(w)})
			for k := range each {
				for range 200 { // about as long as a request's own work
					sum = sha256.Sum256(sum[:])
				}
				i := w*each + k
				m := model.Member{ID: fmt.Sprint("m-", i), TenantID: tn.ID, Email: fmt.Sprintf("m%d-%x@example.org", i, sum[:2]),
					Status: model.StatusCurrent, CreatedAt: now, UpdatedAt: now}
				if i%2 == 0 {
					errs[i] = s.Members().Create(ctx, m)
				} else {
					errs[i] = s.Atomic(ctx, func(tx store.Tx) error { return tx.Members().Create(ctx, m) })
				}
			}
		})
	}
	wg.Wait()
	arrived, groups := s.CommitQueue()
	jobs, taken := arrived-arrived0, groups-groups0
	t.Logf("%d jobs in %d groups", jobs, taken)
	if jobs != writers*each {
		t.Fatalf("%d jobs asked for the writer, want %d", jobs, writers*each)
	}
	if taken*2 >= jobs {
		t.Errorf("%d jobs took %d groups: runnable writers were not committed together", jobs, taken)
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("write %d: %v", i, err)
			continue
		}
		if _, err := s.Members().Get(ctx, tn.ID, fmt.Sprint("m-", i)); err != nil {
			t.Errorf("write %d was answered but is not stored: %v", i, err)
		}
	}
}
