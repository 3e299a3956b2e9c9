package storetest

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var auditTests = []testCase{
	{"Audit/AppendList", testAuditAppendList},
	{"Audit/Filters", testAuditFilters},
	{"Audit/Cursor", testAuditCursor},
}

func appendEvents(t *testing.T, s store.Store, tenantID string, events ...model.AuditEvent) []model.AuditEvent {
	t.Helper()
	for i := range events {
		events[i].TenantID = tenantID
		if events[i].At.IsZero() {
			events[i].At = t0.Add(time.Duration(i) * time.Second)
		}
		ok(t, s.Audit().Append(t.Context(), events[i]))
	}
	return events
}

// listAudit returns every event q selects, following cursors.
func listAudit(t *testing.T, s store.Store, tenantID string, q store.AuditQuery) []model.AuditEvent {
	t.Helper()
	var all []model.AuditEvent
	for range 1000 {
		p, err := s.Audit().List(t.Context(), tenantID, q)
		ok(t, err)
		all = append(all, p.Items...)
		if p.Next == "" {
			return all
		}
		before, err := strconv.ParseInt(p.Next, 10, 64)
		ok(t, err)
		if q.Before != 0 && before >= q.Before {
			t.Fatalf("cursor %d does not advance from %d", before, q.Before)
		}
		q.Before = before
	}
	t.Fatal("pagination never ended")
	return nil
}

func actions(es []model.AuditEvent) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Action
	}
	return out
}

func testAuditAppendList(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	in := appendEvents(t, s, tn.ID,
		model.AuditEvent{ID: 12345, Actor: "cli", Action: "member.create", Target: "member:1",
			IP: "192.0.2.1", Detail: map[string]string{"email": "ada@example.com", "via": "cli"},
			At: time.Date(2026, 1, 2, 3, 4, 5, 678901234, time.FixedZone("Z", 3600))},
		model.AuditEvent{Actor: "anonymous", Action: "login.failure", Detail: map[string]string{}},
		model.AuditEvent{Actor: "system", Action: "session.sweep"},
	)
	got := listAudit(t, s, tn.ID, store.AuditQuery{})
	if len(got) != len(in) {
		t.Fatalf("listed %d events, want %d", len(got), len(in))
	}
	slices.Reverse(got)
	for i := range in {
		if i > 0 && got[i].ID <= got[i-1].ID {
			t.Fatalf("ids not increasing in append order: %d then %d", got[i-1].ID, got[i].ID)
		}
		want := in[i]
		want.ID = got[i].ID // the store assigns ids
		want.At = want.At.UTC().Truncate(time.Microsecond)
		equal(t, got[i], want)
	}
	wantErr(t, s.Audit().Append(t.Context(), model.AuditEvent{TenantID: "missing", Action: "x"}), model.ErrNotFound)
}

func testAuditFilters(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	other := mkTenant(t, s, "beta")
	appendEvents(t, s, other.ID, model.AuditEvent{Actor: "member:a", Action: "login.success", Target: "member:a"})
	appendEvents(t, s, tn.ID,
		model.AuditEvent{Actor: "member:a", Action: "login.success", Target: "member:a"},
		model.AuditEvent{Actor: "anonymous", Action: "login.failure", Target: "member:b"},
		model.AuditEvent{Actor: "cli", Action: "member.create", Target: "member:b"},
		model.AuditEvent{Actor: "member:a", Action: "login.success", Target: "member:a"},
		model.AuditEvent{Actor: "member:a", Action: "loginx.other", Target: "client:c"},
		model.AuditEvent{Actor: "cli", Action: "lo_in.odd", Target: "member:a"},
		model.AuditEvent{Actor: "cli", Action: "login", Target: "member:a"},
	)
	cases := []struct {
		q    store.AuditQuery
		want []string
	}{
		{store.AuditQuery{}, []string{"login", "lo_in.odd", "loginx.other", "login.success", "member.create", "login.failure", "login.success"}},
		{store.AuditQuery{Action: "login.success"}, []string{"login.success", "login.success"}},
		{store.AuditQuery{Action: "login."}, []string{"login.success", "login.failure", "login.success"}},
		{store.AuditQuery{Action: "login"}, []string{"login"}},
		{store.AuditQuery{Action: "lo_in."}, []string{"lo_in.odd"}},
		{store.AuditQuery{Action: "lo%"}, nil},
		{store.AuditQuery{Action: "login.s"}, nil}, // no dot at the end: exact
		{store.AuditQuery{Actor: "member:a"}, []string{"loginx.other", "login.success", "login.success"}},
		{store.AuditQuery{Target: "member:b"}, []string{"member.create", "login.failure"}},
		{store.AuditQuery{Actor: "member:a", Action: "login.", Target: "member:a"}, []string{"login.success", "login.success"}},
		{store.AuditQuery{Actor: "cli", Action: "member."}, []string{"member.create"}},
		{store.AuditQuery{Actor: "nobody"}, nil},
	}
	for _, c := range cases {
		for _, limit := range []int{0, 1, 2} {
			q := c.q
			q.Limit = limit
			got := listAudit(t, s, tn.ID, q)
			if !slices.Equal(actions(got), c.want) {
				t.Errorf("%+v: got %v, want %v", q, actions(got), c.want)
			}
			for _, e := range got {
				if e.TenantID != tn.ID {
					t.Fatalf("listed an event of tenant %s", e.TenantID)
				}
			}
		}
	}
}

func testAuditCursor(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	for range store.DefaultLimit + 3 {
		appendEvents(t, s, tn.ID, model.AuditEvent{Actor: "system", Action: "tick"})
	}
	p, err := s.Audit().List(ctx, tn.ID, store.AuditQuery{})
	ok(t, err)
	if len(p.Items) != store.DefaultLimit || p.Next == "" {
		t.Fatalf("first page: %d items, next %q", len(p.Items), p.Next)
	}
	equal(t, p.Next, strconv.FormatInt(p.Items[len(p.Items)-1].ID, 10))
	before, err := strconv.ParseInt(p.Next, 10, 64)
	ok(t, err)
	rest, err := s.Audit().List(ctx, tn.ID, store.AuditQuery{Before: before})
	ok(t, err)
	equal(t, len(rest.Items), 3)
	equal(t, rest.Next, "")
	if rest.Items[0].ID >= before {
		t.Fatalf("page after cursor %d starts at %d", before, rest.Items[0].ID)
	}
	all := listAudit(t, s, tn.ID, store.AuditQuery{Limit: 7})
	equal(t, len(all), store.DefaultLimit+3)
	p, err = s.Audit().List(ctx, tn.ID, store.AuditQuery{Before: all[len(all)-1].ID})
	ok(t, err)
	equal(t, len(p.Items), 0)
	equal(t, p.Next, "")
}
