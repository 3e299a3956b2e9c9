package sqlstore_test

import (
	"errors"
	"fmt"
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
	tn := model.Tenant{ID: "t-1", Slug: "one", Name: "One", Issuer: "https://one.idp.example",
		AfterLogoutURL: "https://one.example/", CreatedAt: now, UpdatedAt: now}
	if err := s.Tenants().Create(ctx, tn); err != nil {
		t.Fatal(err)
	}
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
	page, err := s.Audit().List(ctx, tn.ID, store.AuditQuery{Action: "test.append", Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, e := range page.Items {
		seen[e.Target]++
	}
	for i := range n {
		if want := map[bool]int{true: 0, false: 1}[i%10 == 3]; seen[fmt.Sprint("n:", i)] != want {
			t.Errorf("event %d stored %d times, want %d", i, seen[fmt.Sprint("n:", i)], want)
		}
	}
}
