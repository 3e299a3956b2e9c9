package sqlstore_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

// TestPostgresAuditAppendsTogether: many plain appends at once (written
// several rows to a statement on PostgreSQL) each learn their own outcome:
// an event of a tenant that does not exist fails alone, with the
// foreign-key error, though the server refused its whole statement, and
// every other one is stored exactly once.
func TestPostgresAuditAppendsTogether(t *testing.T) {
	s := storetest.NewPostgres(t)
	ctx := t.Context()
	now := time.Now().UTC()
	tn := oneTenant(t, s, now)
	const n = 200
	bad := func(i int) bool { return i%10 == 3 }
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			tenant := tn.ID
			if bad(i) {
				tenant = "no-such-tenant"
			}
			errs[i] = s.Audit().Append(ctx, model.AuditEvent{TenantID: tenant, At: now, Actor: "test",
				Action: "test.append", Target: fmt.Sprint("n:", i), Detail: map[string]string{"i": fmt.Sprint(i)}})
		})
	}
	wg.Wait()
	if s.GroupedAuditAppends() == 0 {
		t.Fatal("no statement wrote more than one row: the test did not exercise groups")
	}
	for i, err := range errs {
		switch {
		case bad(i) && !errors.Is(err, model.ErrNotFound):
			t.Errorf("append %d (unknown tenant): %v, want ErrNotFound", i, err)
		case !bad(i) && err != nil:
			t.Errorf("append %d: %v", i, err)
		}
	}
	events := storedEvents(t, s, tn.ID, "test.append")
	for _, e := range events {
		if want := e.Target[len("n:"):]; e.Detail["i"] != want || !e.At.Equal(now.Truncate(time.Microsecond)) {
			t.Errorf("event %s stored as %+v", e.Target, e)
		}
	}
	seen := byTarget(events)
	for i := range n {
		if want := map[bool]int{true: 0, false: 1}[bad(i)]; seen[fmt.Sprint("n:", i)] != want {
			t.Errorf("event %d stored %d times, want %d", i, seen[fmt.Sprint("n:", i)], want)
		}
	}
}
