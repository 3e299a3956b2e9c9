package sqlstore_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
)

// oneTenant creates the tenant t-1 in s, as of now: the one tenant the
// audit and connection tests write under.
func oneTenant(t *testing.T, s *sqlstore.Store, now time.Time) model.Tenant {
	t.Helper()
	tn := model.Tenant{ID: "t-1", Slug: "one", Name: "One", Issuer: "https://one.idp.example",
		AfterLogoutURL: "https://one.example/", CreatedAt: now, UpdatedAt: now}
	if err := s.Tenants().Create(t.Context(), tn); err != nil {
		t.Fatal(err)
	}
	return tn
}

// storedEvents reads every event of tenantID with action, page by page.
func storedEvents(t *testing.T, s *sqlstore.Store, tenantID, action string) []model.AuditEvent {
	t.Helper()
	var all []model.AuditEvent
	q := store.AuditQuery{Action: action, Limit: store.MaxLimit}
	for {
		page, err := s.Audit().List(t.Context(), tenantID, q)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Items...)
		if page.Next == "" {
			return all
		}
		if q.Before, err = strconv.ParseInt(page.Next, 10, 64); err != nil {
			t.Fatal(err)
		}
	}
}

// byTarget counts events by their target.
func byTarget(events []model.AuditEvent) map[string]int {
	seen := map[string]int{}
	for _, e := range events {
		seen[e.Target]++
	}
	return seen
}

// awaitWriterAsked waits until at least want jobs in all have asked s's
// writer for a turn; after 30 s it closes hold, so whatever holds the
// writer lets go, and fails the test.
func awaitWriterAsked(t *testing.T, s *sqlstore.Store, want int64, hold chan struct{}) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
		if arrived, _ := s.CommitQueue(); arrived >= want {
			return
		}
		if time.Now().After(deadline) {
			close(hold)
			t.Fatal("the jobs did not all ask for the writer")
		}
	}
}
