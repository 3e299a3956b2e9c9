package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var outboxTests = []testCase{
	{"Outbox/EnqueueClaimFinish", testOutboxLifecycle},
	{"Outbox/ClaimRunsOut", testOutboxClaimRunsOut},
	{"Outbox/StreamOrder", testOutboxStreamOrder},
	{"Outbox/Kinds", testOutboxKinds},
	{"Outbox/ListAndSweep", testOutboxListAndSweep},
	{"Outbox/BadInput", testOutboxBadInput},
	{"Concurrent/OutboxClaim", testConcurrentOutboxClaim},
}

const claimFor = 5 * time.Minute

func enqueue(t testing.TB, s store.Store, tenantID, kind, stream string, at time.Time) int64 {
	t.Helper()
	id, err := s.Outbox().Enqueue(t.Context(), model.OutboxItem{TenantID: tenantID, Kind: kind, Stream: stream,
		Payload: "sealed:" + kind, CreatedAt: at})
	ok(t, err)
	return id
}

func claim(t testing.TB, s store.Store, holder string, now time.Time, limit int) []int64 {
	t.Helper()
	items, err := s.Outbox().Claim(t.Context(), holder, []string{"mail", "webhook"}, now, now.Add(claimFor), limit)
	ok(t, err)
	var ids []int64
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	return ids
}

func finish(t testing.TB, s store.Store, id int64, holder string, r store.OutboxResult) bool {
	t.Helper()
	done, err := s.Outbox().Finish(t.Context(), id, holder, r)
	ok(t, err)
	return done
}

func testOutboxLifecycle(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "a")
	id := enqueue(t, s, tn.ID, "mail", "", t0)
	it, err := s.Outbox().Get(ctx, tn.ID, id)
	ok(t, err)
	equal(t, it, model.OutboxItem{ID: id, TenantID: tn.ID, Kind: "mail", Payload: "sealed:mail",
		Status: model.OutboxPending, CreatedAt: t0, NextAttemptAt: t0})

	items, err := s.Outbox().Claim(ctx, "r1", []string{"mail"}, t0, t0.Add(claimFor), 10)
	ok(t, err)
	equal(t, len(items), 1)
	equal(t, items[0].Attempts, 1)
	equal(t, items[0].ClaimedBy, "r1")
	equal(t, items[0].ClaimedUntil, t0.Add(claimFor))
	equal(t, claim(t, s, "r2", t0.Add(time.Second), 10), []int64(nil)) // held by r1

	// A failed attempt puts it back for later; nobody gets it before then.
	retryAt := t0.Add(time.Minute)
	equal(t, finish(t, s, id, "r2", store.OutboxResult{Status: model.OutboxPending, At: t0, NextAttemptAt: retryAt}), false)
	equal(t, finish(t, s, id, "r1", store.OutboxResult{Status: model.OutboxPending, At: t0, NextAttemptAt: retryAt,
		Error: "451 try later", Code: 451}), true)
	it, _ = s.Outbox().Get(ctx, tn.ID, id)
	equal(t, [5]any{it.LastError, it.ClaimedBy, it.ClaimedUntil, it.LastCode, it.LastAttemptAt},
		[5]any{"451 try later", "", time.Time{}, 451, t0})
	equal(t, claim(t, s, "r2", retryAt.Add(-time.Microsecond), 10), []int64(nil))
	equal(t, claim(t, s, "r2", retryAt, 10), []int64{id})

	sentAt := retryAt.Add(time.Second)
	equal(t, finish(t, s, id, "r2", store.OutboxResult{Status: model.OutboxSent, At: sentAt}), true)
	equal(t, finish(t, s, id, "r2", store.OutboxResult{Status: model.OutboxSent, At: sentAt}), false) // final
	it, _ = s.Outbox().Get(ctx, tn.ID, id)
	equal(t, [6]any{it.Status, it.Attempts, it.DoneAt, it.LastError, it.LastCode, it.LastAttemptAt},
		[6]any{model.OutboxSent, 2, sentAt, "", 0, sentAt})
	equal(t, claim(t, s, "r3", sentAt.Add(time.Hour), 10), []int64(nil)) // a sent item is never handed out again

	failed := enqueue(t, s, tn.ID, "mail", "", t0)
	equal(t, claim(t, s, "r3", sentAt, 10), []int64{failed})
	equal(t, finish(t, s, failed, "r3", store.OutboxResult{Status: model.OutboxFailed, At: sentAt, Error: "550 no"}), true)
	equal(t, claim(t, s, "r3", sentAt.Add(48*time.Hour), 10), []int64(nil))
	_, err = s.Outbox().Get(ctx, mkTenant(t, s, "b").ID, id) // another tenant's
	wantErr(t, err, model.ErrNotFound)
}

// testOutboxClaimRunsOut: a replica that died holding an item does not
// keep it: once the claim runs out another takes it, and the dead one can
// no longer record an outcome.
func testOutboxClaimRunsOut(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "a")
	id := enqueue(t, s, tn.ID, "mail", "", t0)
	equal(t, claim(t, s, "dead", t0, 10), []int64{id})
	equal(t, claim(t, s, "r2", t0.Add(claimFor-time.Microsecond), 10), []int64(nil))
	equal(t, claim(t, s, "r2", t0.Add(claimFor), 10), []int64{id})
	equal(t, finish(t, s, id, "dead", store.OutboxResult{Status: model.OutboxSent, At: t0.Add(claimFor)}), false)
	it, err := s.Outbox().Get(t.Context(), tn.ID, id)
	ok(t, err)
	equal(t, [2]any{it.Attempts, it.ClaimedBy}, [2]any{2, "r2"})
}

// testOutboxStreamOrder: within a stream only the oldest pending item is
// handed out; other streams and unordered items are not held up.
func testOutboxStreamOrder(t *testing.T, s store.Store) {
	a, b := mkTenant(t, s, "a"), mkTenant(t, s, "b")
	first := enqueue(t, s, a.ID, "webhook", "member:1", t0)
	second := enqueue(t, s, a.ID, "webhook", "member:1", t0)
	other := enqueue(t, s, a.ID, "webhook", "member:2", t0)
	otherTenant := enqueue(t, s, b.ID, "webhook", "member:1", t0)
	free1, free2 := enqueue(t, s, a.ID, "mail", "", t0), enqueue(t, s, a.ID, "mail", "", t0)
	equal(t, claim(t, s, "r", t0, 10), []int64{first, other, otherTenant, free1, free2})
	equal(t, claim(t, s, "r", t0.Add(claimFor), 1), []int64{first}) // the oldest due item first, second still waits
	equal(t, finish(t, s, first, "r", store.OutboxResult{Status: model.OutboxSent, At: t0}), true)
	equal(t, claim(t, s, "r", t0.Add(2*claimFor), 1), []int64{second})
}

// testOutboxKinds: a replica claims only the kinds it names, so one that
// cannot deliver a kind never holds (or uses up the attempts of) its items.
func testOutboxKinds(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "a")
	hook, mail := enqueue(t, s, tn.ID, "webhook", "", t0), enqueue(t, s, tn.ID, "mail", "", t0)
	items, err := s.Outbox().Claim(t.Context(), "r", []string{"mail"}, t0, t0.Add(claimFor), 10)
	ok(t, err)
	equal(t, [2]any{len(items), items[0].ID}, [2]any{1, mail})
	it, err := s.Outbox().Get(t.Context(), tn.ID, hook)
	ok(t, err)
	equal(t, [2]any{it.Attempts, it.ClaimedBy}, [2]any{0, ""})
	if _, err := s.Outbox().Claim(t.Context(), "r", nil, t0, t0.Add(claimFor), 10); err == nil {
		t.Fatal("claimed with no kinds")
	}
}

func testOutboxListAndSweep(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := mkTenant(t, s, "a"), mkTenant(t, s, "b")
	var mails []int64
	for range 3 {
		mails = append(mails, enqueue(t, s, a.ID, "mail", "", t0))
	}
	hook := enqueue(t, s, a.ID, "webhook", "x", t0)
	enqueue(t, s, b.ID, "mail", "", t0)
	p, err := s.Outbox().List(ctx, a.ID, store.OutboxQuery{Kind: "mail", Limit: 2})
	ok(t, err)
	equal(t, [3]int64{p.Items[0].ID, p.Items[1].ID, int64(len(p.Items))}, [3]int64{mails[2], mails[1], 2})
	equal(t, p.Next, fmt.Sprint(mails[1]))
	p, err = s.Outbox().List(ctx, a.ID, store.OutboxQuery{Kind: "mail", Before: mails[1]})
	ok(t, err)
	equal(t, [2]any{len(p.Items), p.Next}, [2]any{1, ""})
	p, err = s.Outbox().List(ctx, a.ID, store.OutboxQuery{Stream: "x"})
	ok(t, err)
	equal(t, [2]any{len(p.Items), p.Items[0].ID}, [2]any{1, hook})

	// A stream prefix matches exactly: case counts, and LIKE's wildcards
	// are plain characters.
	e1m1, e1m2 := enqueue(t, s, a.ID, "webhook", "e1:m1", t0), enqueue(t, s, a.ID, "webhook", "e1:m2", t0)
	enqueue(t, s, a.ID, "webhook", "E1:m1", t0)
	enqueue(t, s, a.ID, "webhook", "e10:m1", t0)
	enqueue(t, s, a.ID, "webhook", "e_:m1", t0)
	enqueue(t, s, b.ID, "webhook", "e1:m1", t0)
	p, err = s.Outbox().List(ctx, a.ID, store.OutboxQuery{Kind: "webhook", StreamPrefix: "e1:"})
	ok(t, err)
	equal(t, [3]any{len(p.Items), p.Items[0].ID, p.Items[1].ID}, [3]any{2, e1m2, e1m1})
	p, err = s.Outbox().List(ctx, a.ID, store.OutboxQuery{StreamPrefix: "e%"})
	ok(t, err)
	equal(t, len(p.Items), 0)
	p, err = s.Outbox().List(ctx, a.ID, store.OutboxQuery{StreamPrefix: "é"})
	ok(t, err)
	equal(t, len(p.Items), 0)

	claim(t, s, "r", t0, 10)
	finish(t, s, mails[0], "r", store.OutboxResult{Status: model.OutboxSent, At: t0})
	finish(t, s, mails[1], "r", store.OutboxResult{Status: model.OutboxFailed, At: t0.Add(time.Hour)})
	finish(t, s, mails[2], "r", store.OutboxResult{Status: model.OutboxPending, At: t0, NextAttemptAt: t0})
	n, err := s.Outbox().DeleteDone(ctx, t0.Add(time.Hour)) // strictly before: the failed one stays
	ok(t, err)
	equal(t, n, int64(1))
	n, err = s.Outbox().DeleteDone(ctx, t0.Add(100*time.Hour)) // pending items are never swept
	ok(t, err)
	equal(t, n, int64(1))
	_, err = s.Outbox().Get(ctx, a.ID, mails[2])
	ok(t, err)
}

func testOutboxBadInput(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "a")
	_, err := s.Outbox().Enqueue(ctx, model.OutboxItem{TenantID: "missing", Kind: "mail", CreatedAt: t0})
	wantErr(t, err, model.ErrNotFound)
	for _, it := range []model.OutboxItem{{Kind: "mail", CreatedAt: t0}, {TenantID: tn.ID, CreatedAt: t0}, {TenantID: tn.ID, Kind: "mail"}} {
		if _, err := s.Outbox().Enqueue(ctx, it); err == nil {
			t.Fatalf("enqueued %+v", it)
		}
	}
	if _, err := s.Outbox().Claim(ctx, "", []string{"mail"}, t0, t0.Add(time.Minute), 1); err == nil {
		t.Fatal("claimed without a holder")
	}
	if _, err := s.Outbox().Claim(ctx, "r", []string{"mail"}, t0, t0, 1); err == nil {
		t.Fatal("claimed until now")
	}
	id := enqueue(t, s, tn.ID, "mail", "", t0)
	claim(t, s, "r", t0, 1)
	for _, r := range []store.OutboxResult{{Status: model.OutboxSent}, {Status: model.OutboxPending, At: t0}, {Status: "odd", At: t0}} {
		if _, err := s.Outbox().Finish(ctx, id, "r", r); err == nil {
			t.Fatalf("finished with %+v", r)
		}
	}
}

// testConcurrentOutboxClaim: replicas claiming at once share the items
// out, each to exactly one of them, and none is lost on the way.
func testConcurrentOutboxClaim(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "a")
	const items = 40
	for range items {
		enqueue(t, s, tn.ID, "mail", "", t0)
	}
	var mu sync.Mutex
	seen := map[int64]string{}
	raceN(t, consumers, func(i int) error {
		holder := fmt.Sprintf("replica-%d", i)
		got, err := s.Outbox().Claim(t.Context(), holder, []string{"mail"}, t0, t0.Add(claimFor), 7)
		mu.Lock()
		defer mu.Unlock()
		for _, it := range got {
			if prev, dup := seen[it.ID]; dup {
				return fmt.Errorf("item %d claimed by %s and %s", it.ID, prev, holder)
			}
			seen[it.ID] = holder
		}
		return err
	})
	for _, id := range claim(t, s, "late", t0, items) { // whatever the race left is still there
		if prev, dup := seen[id]; dup {
			t.Fatalf("item %d claimed by %s and late", id, prev)
		}
		seen[id] = "late"
	}
	equal(t, len(seen), items)
}
