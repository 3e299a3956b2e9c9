package outbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

// receiver is a hand-written deliverer: it records what it was given and
// fails while fail says so.
type receiver struct {
	mu   sync.Mutex
	got  []Delivery
	fail func(Delivery) error
}

func (r *receiver) Deliver(_ context.Context, d Delivery) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		if err := r.fail(d); err != nil {
			return 0, err
		}
	}
	r.got = append(r.got, d)
	return 0, nil
}

func (r *receiver) delivered() []Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Delivery(nil), r.got...)
}

type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) OutboxEvent(kind, event string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[kind+"/"+event]++
}

type fixture struct {
	st    store.Store
	queue *Queue
	rcv   *receiver
	obs   *counter
	mu    sync.Mutex
	now   time.Time
	kr    *secrets.Keyring
}

var policy = Policy{Backoff: []time.Duration{time.Minute, 10 * time.Minute}, GiveUpAfter: 24 * time.Hour}

func newFixture(t *testing.T, st store.Store) *fixture {
	t.Helper()
	kr, err := secrets.NewKeyring(bytes.Repeat([]byte{5}, secrets.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, rcv: &receiver{}, obs: &counter{n: map[string]int{}}, kr: kr,
		now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	f.queue = &Queue{Keyring: kr, Now: f.clock, Observer: f.obs}
	for _, id := range []string{"t1", "t2"} {
		if err := st.Tenants().Create(t.Context(), model.Tenant{ID: id, Slug: id, Issuer: "https://" + id + ".example"}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *fixture) clock() time.Time        { f.mu.Lock(); defer f.mu.Unlock(); return f.now }
func (f *fixture) advance(d time.Duration) { f.mu.Lock(); f.now = f.now.Add(d); f.mu.Unlock() }

func (f *fixture) dispatcher(holder string) *Dispatcher {
	return &Dispatcher{Store: f.st.Outbox(), Audit: f.st.Audit(), Keyring: f.kr, Holder: holder, Now: f.clock,
		Logger: slog.New(slog.DiscardHandler), Observer: f.obs, Kinds: map[string]Kind{"mail": {Deliverer: f.rcv, Policy: policy}}}
}

func (f *fixture) put(t *testing.T, tenantID, payload string) int64 {
	t.Helper()
	id, err := f.queue.Put(t.Context(), f.st.Outbox(), tenantID, "mail", "", []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func run(t *testing.T, d *Dispatcher) int {
	t.Helper()
	n, err := d.RunOnce(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) item(t *testing.T, tenantID string, id int64) model.OutboxItem {
	t.Helper()
	it, err := f.st.Outbox().Get(t.Context(), tenantID, id)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

func TestDeliveredOnceSealedAtRest(t *testing.T) {
	f := newFixture(t, storetest.NewSQLite(t))
	id := f.put(t, "t1", "reset link https://x/account/reset/SECRET")
	if it := f.item(t, "t1", id); bytes.Contains([]byte(it.Payload), []byte("SECRET")) {
		t.Fatalf("payload stored in the clear: %q", it.Payload)
	}
	d := f.dispatcher("r1")
	if n := run(t, d); n != 1 {
		t.Fatalf("delivered %d", n)
	}
	got := f.rcv.delivered()
	if len(got) != 1 || string(got[0].Payload) != "reset link https://x/account/reset/SECRET" || got[0].Key() != fmt.Sprintf("t1.%d", id) || got[0].Attempt != 1 {
		t.Fatalf("deliveries %+v", got)
	}
	f.advance(48 * time.Hour)
	if n := run(t, d); n != 0 || len(f.rcv.delivered()) != 1 {
		t.Fatal("a sent item was delivered again")
	}
	if it := f.item(t, "t1", id); it.Status != model.OutboxSent {
		t.Fatalf("status %s", it.Status)
	}
	if f.obs.n["mail/queued"] != 1 || f.obs.n["mail/sent"] != 1 {
		t.Fatalf("metrics %v", f.obs.n)
	}
}

// TestRetriedWithBackoffThenSent: a receiver that refuses for a while gets
// the item later, at the policy's pace.
func TestRetriedWithBackoffThenSent(t *testing.T) {
	f := newFixture(t, storetest.NewSQLite(t))
	refusing := true
	f.rcv.fail = func(Delivery) error {
		if refusing {
			return errors.New("451 4.3.0 try again later")
		}
		return nil
	}
	id := f.put(t, "t1", "hello")
	d := f.dispatcher("r1")
	run(t, d)
	it := f.item(t, "t1", id)
	if it.Status != model.OutboxPending || it.LastError != "451 4.3.0 try again later" || !it.NextAttemptAt.Equal(f.clock().Add(time.Minute)) {
		t.Fatalf("after one failure: %+v", it)
	}
	f.advance(time.Minute - time.Second)
	if run(t, d) != 0 {
		t.Fatal("tried before the back-off ran out")
	}
	f.advance(time.Second)
	run(t, d)
	if it := f.item(t, "t1", id); !it.NextAttemptAt.Equal(f.clock().Add(10 * time.Minute)) {
		t.Fatalf("second back-off: %+v", it)
	}
	refusing = false
	f.advance(10 * time.Minute)
	run(t, d)
	if it := f.item(t, "t1", id); it.Status != model.OutboxSent || it.Attempts != 3 || len(f.rcv.delivered()) != 1 {
		t.Fatalf("after the relay came back: %+v", it)
	}
	if f.obs.n["mail/retried"] != 2 {
		t.Fatalf("metrics %v", f.obs.n)
	}
}

// TestGivesUpAfterWindowAndAudits: a receiver that refuses forever makes
// the item fail once the window has closed, with an audit event in its
// tenant; a permanent error fails it at once.
func TestGivesUpAfterWindowAndAudits(t *testing.T) {
	f := newFixture(t, storetest.NewSQLite(t))
	f.rcv.fail = func(d Delivery) error {
		if string(d.Payload) == "bad" {
			return Permanent(errors.New("550 5.1.1 no such user"))
		}
		return errors.New("554 5.7.1 relay refused")
	}
	id, bad := f.put(t, "t1", "hello"), f.put(t, "t2", "bad")
	d := f.dispatcher("r1")
	var attempts int
	for f.item(t, "t1", id).Status == model.OutboxPending {
		if attempts++; attempts > 200 {
			t.Fatal("never gave up")
		}
		run(t, d)
		f.advance(10 * time.Minute)
	}
	it := f.item(t, "t1", id)
	if it.Status != model.OutboxFailed || it.DoneAt.Sub(it.CreatedAt) != 24*time.Hour {
		t.Fatalf("given up: %+v (after %v)", it, it.DoneAt.Sub(it.CreatedAt))
	}
	if it := f.item(t, "t2", bad); it.Status != model.OutboxFailed || it.Attempts != 1 {
		t.Fatalf("permanent failure: %+v", it)
	}
	for tenant, target := range map[string]int64{"t1": id, "t2": bad} {
		p, err := f.st.Audit().List(t.Context(), tenant, store.AuditQuery{Action: "outbox.mail.failed"})
		if err != nil || len(p.Items) != 1 || p.Items[0].Target != fmt.Sprintf("outbox:%d", target) {
			t.Fatalf("audit of %s: %+v %v", tenant, p.Items, err)
		}
	}
	if f.obs.n["mail/failed"] != 2 {
		t.Fatalf("metrics %v", f.obs.n)
	}
}

// TestDeadReplicasClaimRunsOut: an item claimed by a replica that died
// (kill -9 between claim and send) is delivered by the next holder once
// the claim has run out, and only once.
func TestDeadReplicasClaimRunsOut(t *testing.T) {
	f := newFixture(t, storetest.NewSQLite(t))
	id := f.put(t, "t1", "hello")
	if _, err := f.st.Outbox().Claim(t.Context(), "dead", []string{"mail"}, f.clock(), f.clock().Add(DefaultClaim), 10); err != nil {
		t.Fatal(err)
	}
	d := f.dispatcher("r2")
	if run(t, d) != 0 {
		t.Fatal("took an item another replica holds")
	}
	f.advance(DefaultClaim)
	run(t, d)
	if got := f.rcv.delivered(); len(got) != 1 || got[0].Attempt != 2 || f.item(t, "t1", id).Status != model.OutboxSent {
		t.Fatalf("deliveries %+v", got)
	}
}

// TestTwoDispatchersNeverShareAnItem: two replicas running at once (as
// during a lease hand-over) deliver every item exactly once between them.
func TestTwoDispatchersNeverShareAnItem(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			f := newFixture(t, b.New(t))
			const items = 60
			for i := range items {
				f.put(t, "t1", fmt.Sprint(i))
			}
			var wg sync.WaitGroup
			for _, holder := range []string{"r1", "r2", "r3"} {
				d := f.dispatcher(holder)
				d.Batch = 7
				wg.Go(func() {
					for {
						n, err := d.RunOnce(context.Background())
						if err != nil {
							t.Error(err)
						}
						if n == 0 || err != nil {
							return
						}
					}
				})
			}
			wg.Wait()
			seen := map[int64]bool{}
			for _, d := range f.rcv.delivered() {
				if seen[d.ID] {
					t.Fatalf("item %d delivered twice", d.ID)
				}
				seen[d.ID] = true
			}
			if len(seen) != items {
				t.Fatalf("%d of %d delivered", len(seen), items)
			}
		})
	}
}

// TestPayloadBoundToTenant: a sealed payload copied into another tenant's
// item does not open there; the item fails rather than being sent.
func TestPayloadBoundToTenant(t *testing.T) {
	f := newFixture(t, storetest.NewSQLite(t))
	sealed, err := f.kr.Encrypt([]byte("hello"), associatedData("t1", "mail"))
	if err != nil {
		t.Fatal(err)
	}
	id, err := f.st.Outbox().Enqueue(t.Context(), model.OutboxItem{TenantID: "t2", Kind: "mail", Payload: sealed, CreatedAt: f.clock()})
	if err != nil {
		t.Fatal(err)
	}
	run(t, f.dispatcher("r1"))
	if it := f.item(t, "t2", id); it.Status != model.OutboxFailed || len(f.rcv.delivered()) != 0 {
		t.Fatalf("%+v", it)
	}
}

// TestShutdownHandsTheItemBack: an attempt cut short because the replica is
// stopping gives the item back due at once, so the next holder need not
// wait for the claim to run out.
func TestShutdownHandsTheItemBack(t *testing.T) {
	f := newFixture(t, storetest.NewSQLite(t))
	ctx, cancel := context.WithCancel(t.Context())
	f.rcv.fail = func(Delivery) error { cancel(); return errors.New("connection reset") }
	id := f.put(t, "t1", "hello")
	d := f.dispatcher("r1")
	if _, err := d.RunOnce(ctx); err == nil {
		t.Fatal("a cancelled round reported no error")
	}
	if it := f.item(t, "t1", id); it.Status != model.OutboxPending || !it.ClaimedUntil.IsZero() || it.NextAttemptAt.After(f.clock()) {
		t.Fatalf("after the shutdown: %+v", it)
	}
	f.rcv.fail = nil
	if n := run(t, f.dispatcher("r2")); n != 1 || len(f.rcv.delivered()) != 1 {
		t.Fatalf("the item was not due at once for the next holder: %d", n)
	}
}

// TestShutdownHandsTheBatchBack: the items of a batch not yet attempted
// when the replica stops are handed back too, due at once.
func TestShutdownHandsTheBatchBack(t *testing.T) {
	f := newFixture(t, storetest.NewSQLite(t))
	ctx, cancel := context.WithCancel(t.Context())
	f.rcv.fail = func(Delivery) error { cancel(); return errors.New("connection reset") }
	for _, p := range []string{"one", "two", "three"} {
		f.put(t, "t1", p)
	}
	if _, err := f.dispatcher("r1").RunOnce(ctx); err == nil {
		t.Fatal("a cancelled round reported no error")
	}
	f.rcv.fail = nil
	if n := run(t, f.dispatcher("r2")); n != 3 || len(f.rcv.delivered()) != 3 {
		t.Fatalf("the next holder got %d items at once, want 3", n)
	}
}
