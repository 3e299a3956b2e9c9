package mail_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/guildgate/guildgate/internal/mail"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/outbox"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
	"github.com/guildgate/guildgate/internal/testenv"
)

// relayOutbox is the outbox delivering mail to a real relay, on a store
// and a clock the test owns.
type relayOutbox struct {
	st     store.Store
	mailer *Mailer
	d      *outbox.Dispatcher
	mu     sync.Mutex
	now    time.Time
}

func newRelayOutbox(t *testing.T, r *Relay) *relayOutbox {
	t.Helper()
	o := &relayOutbox{st: storetest.NewSQLite(t), now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	clock := func() time.Time { o.mu.Lock(); defer o.mu.Unlock(); return o.now }
	if err := o.st.Tenants().Create(t.Context(), model.Tenant{ID: "t1", Slug: "bakers", Name: "Bakers", Issuer: "https://sso.example"}); err != nil {
		t.Fatal(err)
	}
	kr, err := secrets.NewKeyring(bytes.Repeat([]byte{9}, secrets.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	o.mailer = &Mailer{Templates: tpl, Queue: &outbox.Queue{Keyring: kr, Now: clock}}
	o.d = &outbox.Dispatcher{Store: o.st.Outbox(), Audit: o.st.Audit(), Keyring: kr, Holder: "r1", Now: clock,
		Logger: slog.New(slog.DiscardHandler), Kinds: map[string]outbox.Kind{Kind: {Deliverer: Deliverer{Relay: r, Now: clock}, Policy: Policy}}}
	return o
}

func (o *relayOutbox) advance(d time.Duration) { o.mu.Lock(); o.now = o.now.Add(d); o.mu.Unlock() }

func (o *relayOutbox) queue(t *testing.T) int64 {
	t.Helper()
	if err := o.mailer.Send(t.Context(), o.st.Outbox(), model.Tenant{ID: "t1", Slug: "bakers", Name: "Bakers"},
		To{Email: "ada@example.org", Name: "Ada"}, TemplateTest, Data{}); err != nil {
		t.Fatal(err)
	}
	p, err := o.st.Outbox().List(t.Context(), "t1", store.OutboxQuery{Kind: Kind})
	if err != nil || len(p.Items) == 0 {
		t.Fatalf("queued: %v", err)
	}
	return p.Items[0].ID
}

func (o *relayOutbox) item(t *testing.T, id int64) model.OutboxItem {
	t.Helper()
	p, err := o.st.Outbox().List(t.Context(), "t1", store.OutboxQuery{Kind: Kind})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range p.Items {
		if it.ID == id {
			return it
		}
	}
	t.Fatalf("no outbox item %d", id)
	return model.OutboxItem{}
}

func (o *relayOutbox) run(t *testing.T) {
	t.Helper()
	if _, err := o.d.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// TestRefusingRelayGetsTheMailLater: a real relay that answers 451 for a
// while leaves the mail in the outbox with the relay's words; once it
// accepts again, the next attempt after the back-off delivers it, once.
func TestRefusingRelayGetsTheMailLater(t *testing.T) {
	mp := testenv.StartMailpit(t, testenv.MailpitOptions{Chaos: true})
	o := newRelayOutbox(t, relayTo(t, mp, "sso@guild.example"))
	mp.SetChaos(t, 451)
	id := o.queue(t)
	for range 3 {
		o.run(t)
		o.advance(time.Hour)
	}
	it := o.item(t, id)
	if it.Status != model.OutboxPending || it.Attempts != 3 || !strings.Contains(it.LastError, "451") {
		t.Fatalf("while the relay refuses: %+v", it)
	}
	if n := len(mp.Messages(t)); n != 0 {
		t.Fatalf("%d mails arrived through a refusing relay", n)
	}
	mp.SetChaos(t, 0)
	o.run(t)
	o.advance(time.Hour)
	o.run(t)
	if it := o.item(t, id); it.Status != model.OutboxSent || it.Attempts != 4 {
		t.Fatalf("after the relay came back: %+v", it)
	}
	if got := mp.To(t, "ada@example.org"); len(got) != 1 {
		t.Fatalf("%d mails arrived, want 1", len(got))
	}
}

// TestRelayRefusingForeverGivesUp: a real relay that answers 554 to every
// attempt makes the mail fail 24 hours after it was queued (the clock is
// the test's), audited in its tenant; nothing arrives.
func TestRelayRefusingForeverGivesUp(t *testing.T) {
	mp := testenv.StartMailpit(t, testenv.MailpitOptions{Chaos: true})
	o := newRelayOutbox(t, relayTo(t, mp, "sso@guild.example"))
	mp.SetChaos(t, 554)
	id := o.queue(t)
	for attempts := 0; o.item(t, id).Status == model.OutboxPending; attempts++ {
		if attempts > 100 {
			t.Fatal("never gave up")
		}
		o.run(t)
		o.advance(30 * time.Minute)
	}
	it := o.item(t, id)
	if it.Status != model.OutboxFailed || it.DoneAt.Sub(it.CreatedAt) != 24*time.Hour || !strings.Contains(it.LastError, "554") {
		t.Fatalf("given up: %+v (after %v)", it, it.DoneAt.Sub(it.CreatedAt))
	}
	p, err := o.st.Audit().List(t.Context(), "t1", store.AuditQuery{Action: "outbox.mail.failed"})
	if err != nil || len(p.Items) != 1 {
		t.Fatalf("audit %+v, %v", p.Items, err)
	}
	if n := len(mp.Messages(t)); n != 0 {
		t.Fatalf("%d mails arrived", n)
	}
}
