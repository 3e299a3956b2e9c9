package webhooks

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/mail"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/outbound"
	"github.com/guildgate/guildgate/internal/outbox"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

// receiver is a partner app's HTTPS endpoint: it checks every delivery's
// signature as a Standard Webhooks library does (HMAC-SHA256 over
// "id.timestamp.body" with the key of the secret it was given, any of the
// space-separated v1 signatures matching), records it, and answers with
// the next status of its script (200 when the script is over).
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	secret string
	mu     sync.Mutex
	script []int
	got    []delivery
}

type delivery struct {
	id, body string
	status   int
}

func newReceiver(t *testing.T, script ...int) *receiver {
	r := &receiver{t: t, script: script}
	r.srv = httptest.NewTLSServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.verify(req.Header, body) {
		r.t.Errorf("bad signature on %s: %q", req.Header.Get(HeaderID), req.Header.Get(HeaderSignature))
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	status := http.StatusOK
	if len(r.script) > 0 {
		status, r.script = r.script[0], r.script[1:]
	}
	r.got = append(r.got, delivery{id: req.Header.Get(HeaderID), body: string(body), status: status})
	if status == http.StatusFound {
		w.Header().Set("Location", "http://169.254.169.254/latest/meta-data/")
	}
	w.WriteHeader(status)
}

func (r *receiver) verify(h http.Header, body []byte) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(r.secret, "whsec_"))
	ts, terr := strconv.ParseInt(h.Get(HeaderTimestamp), 10, 64)
	if err != nil || terr != nil || h.Get(HeaderID) == "" {
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(h.Get(HeaderID) + "." + strconv.FormatInt(ts, 10) + "." + string(body)))
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, sig := range strings.Fields(h.Get(HeaderSignature)) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return true
		}
	}
	return false
}

// rig is a tenant on a real store with the outbox's queue and dispatcher,
// the webhook kind registered, and a clock the test moves.
type rig struct {
	t     *testing.T
	st    store.Store
	svc   *Service
	queue *outbox.Queue
	disp  *outbox.Dispatcher
	now   time.Time
}

func newRig(t *testing.T, r *receiver) *rig {
	st := storetest.NewSQLite(t)
	if err := st.Tenants().Create(t.Context(), model.Tenant{ID: "t1", Slug: "t1", Name: "t1", Issuer: "https://t1.example",
		CreatedAt: clock, UpdatedAt: clock}); err != nil {
		t.Fatal(err)
	}
	keys, err := secrets.NewKeyring(secrets.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	g := &rig{t: t, st: st, now: clock}
	now := func() time.Time { return g.now }
	g.svc = &Service{Store: st.WebhookEndpoints(), Audit: st.Audit(), Secrets: keys, Now: now}
	// The receiver listens on loopback: only an operator's allowance lets
	// the outbound client reach it.
	client := outbound.New(outbound.Options{AllowPrivate: true, RootCAs: r.srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs})
	g.queue = &outbox.Queue{Keyring: keys, Now: now}
	g.svc.Outbox, g.svc.Atomic = st.Outbox(), st.Atomic
	g.svc.Queue = func(context.Context) (*outbox.Queue, error) { return g.queue, nil }
	g.disp = &outbox.Dispatcher{Store: st.Outbox(), Audit: st.Audit(), Keyring: keys, Holder: "replica-1", Now: now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Kinds:  map[string]outbox.Kind{Kind: {Deliverer: Deliverer{Endpoints: g.svc, Client: client.For(outbound.Webhook), Now: now}, Policy: Policy}}}
	return g
}

func (g *rig) endpoint(r *receiver, events ...string) model.WebhookEndpoint {
	e, secret, err := g.svc.Add(g.t.Context(), "cli", "t1", Input{URL: r.srv.URL + "/hooks", Events: events})
	if err != nil {
		g.t.Fatal(err)
	}
	r.secret = secret
	return e
}

func (g *rig) emit(stream, typ string, data any) {
	err := Enqueue(g.t.Context(), g.queue, g.st.WebhookEndpoints(), g.st.Outbox(), "t1", stream,
		Event{Type: typ, Timestamp: g.now, Data: data})
	if err != nil {
		g.t.Fatal(err)
	}
}

func (g *rig) run() int {
	n, err := g.disp.RunOnce(g.t.Context())
	if err != nil {
		g.t.Fatal(err)
	}
	return n
}

// TestDeliveryRetriesWithTheSameID: a 5xx is tried again on the Standard
// Webhooks schedule with the same webhook-id and a valid signature; the
// body is {"type", "timestamp", "data"}.
func TestDeliveryRetriesWithTheSameID(t *testing.T) {
	r := newReceiver(t, http.StatusInternalServerError, http.StatusServiceUnavailable)
	g := newRig(t, r)
	g.endpoint(r)
	g.emit("member:m1", model.EventMemberDisabled, map[string]any{"id": "m1", "status": "current", "disabled": true})
	if g.run() != 1 || len(r.got) != 1 {
		t.Fatalf("first attempt: %d deliveries", len(r.got))
	}
	if g.run() != 0 {
		t.Fatal("retried before its back-off")
	}
	g.now = g.now.Add(5 * time.Second)
	g.run()
	g.now = g.now.Add(5 * time.Minute)
	g.run()
	if len(r.got) != 3 || r.got[0].id != r.got[1].id || r.got[1].id != r.got[2].id || !strings.HasPrefix(r.got[0].id, "msg_") {
		t.Fatalf("deliveries %+v", r.got)
	}
	var body struct {
		Type      string         `json:"type"`
		Timestamp time.Time      `json:"timestamp"`
		Data      map[string]any `json:"data"`
	}
	if err := json.Unmarshal([]byte(r.got[2].body), &body); err != nil || body.Type != model.EventMemberDisabled ||
		!body.Timestamp.Equal(clock) || body.Data["id"] != "m1" {
		t.Fatalf("body %s: %v", r.got[2].body, err)
	}
	items, err := g.st.Outbox().List(t.Context(), "t1", store.OutboxQuery{Kind: Kind})
	if err != nil || len(items.Items) != 1 || items.Items[0].Status != model.OutboxSent || items.Items[0].Attempts != 3 {
		t.Fatalf("outbox %+v %v", items.Items, err)
	}
}

// TestDeliveryOrderPerMember: a member's events reach an endpoint in the
// order they were made, a failing one holding back the next; another
// member's are not held.
func TestDeliveryOrderPerMember(t *testing.T) {
	r := newReceiver(t, http.StatusInternalServerError)
	g := newRig(t, r)
	g.endpoint(r)
	g.emit("member:m1", model.EventMemberDisabled, map[string]string{"id": "m1"})
	g.emit("member:m1", model.EventMemberEnabled, map[string]string{"id": "m1"})
	g.emit("member:m2", model.EventMemberDeleted, map[string]string{"id": "m2"})
	g.run()
	g.now = g.now.Add(5 * time.Second)
	for g.run() > 0 {
	}
	var types []string
	for _, d := range r.got {
		var b Event
		_ = json.Unmarshal([]byte(d.body), &b)
		types = append(types, b.Type)
	}
	if strings.Join(types, ",") != "member.disabled,member.deleted,member.disabled,member.enabled" {
		t.Fatalf("delivered in order %v", types)
	}
}

// TestEnqueueChoosesEndpoints: only enabled endpoints that want the type
// get an item.
func TestEnqueueChoosesEndpoints(t *testing.T) {
	r := newReceiver(t)
	g := newRig(t, r)
	g.endpoint(r, model.EventMemberDeleted)
	off := g.endpoint(r)
	if err := g.svc.disable(t.Context(), off, "by hand"); err != nil {
		t.Fatal(err)
	}
	g.endpoint(r, model.EventMemberDisabled)
	g.emit("member:m1", model.EventMemberDisabled, map[string]string{"id": "m1"})
	items, err := g.st.Outbox().List(t.Context(), "t1", store.OutboxQuery{Kind: Kind})
	if err != nil || len(items.Items) != 1 {
		t.Fatalf("queued %d items: %v", len(items.Items), err)
	}
}

// TestRedirectAndPrivateAddressFail: a receiver's redirect (here to a cloud
// metadata address) is a failed delivery and is not followed; without the
// operator's allowance a loopback receiver is never reached.
func TestRedirectAndPrivateAddressFail(t *testing.T) {
	r := newReceiver(t, http.StatusFound)
	g := newRig(t, r)
	g.endpoint(r)
	g.emit("member:m1", model.EventMemberDisabled, map[string]string{"id": "m1"})
	g.run()
	items, _ := g.st.Outbox().List(t.Context(), "t1", store.OutboxQuery{Kind: Kind})
	if len(r.got) != 1 || items.Items[0].Status != model.OutboxPending || !strings.Contains(items.Items[0].LastError, "302") {
		t.Fatalf("redirect: %+v %+v", r.got, items.Items)
	}

	strict := newRig(t, r)
	strict.disp.Kinds[Kind] = outbox.Kind{Deliverer: Deliverer{Endpoints: strict.svc,
		Client: outbound.New(outbound.Options{}).For(outbound.Webhook), Now: func() time.Time { return strict.now }}, Policy: Policy}
	strict.endpoint(r)
	strict.emit("member:m1", model.EventMemberDisabled, map[string]string{"id": "m1"})
	strict.run()
	items, _ = strict.st.Outbox().List(t.Context(), "t1", store.OutboxQuery{Kind: Kind})
	if len(r.got) != 1 || items.Items[0].Status != model.OutboxPending || items.Items[0].LastError == "" {
		t.Fatalf("a loopback receiver was reached without the allowance: %+v %+v", r.got, items.Items)
	}
}

// TestGiveUpDisablesTheEndpoint: after 3 days of failures the item fails,
// the endpoint is disabled and the audit log tells the administrator.
func TestGiveUpDisablesTheEndpoint(t *testing.T) {
	script := make([]int, 50)
	for i := range script {
		script[i] = http.StatusBadGateway
	}
	r := newReceiver(t, script...)
	g := newRig(t, r)
	e := g.endpoint(r)
	templates, err := mail.LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	g.svc.Mail = &mail.Mailer{Templates: templates, Queue: g.queue}
	for _, m := range []model.Member{{ID: "a1", Email: "admin@t1.example", Name: "Admin", Admin: true},
		{ID: "a2", Email: "gone@t1.example", Name: "Gone", Admin: true, Disabled: true},
		{ID: "m1", Email: "member@t1.example", Name: "Member"}} {
		m.TenantID, m.Status, m.CreatedAt, m.UpdatedAt = "t1", model.StatusCurrent, clock, clock
		if err := g.st.Members().Create(t.Context(), m); err != nil {
			t.Fatal(err)
		}
	}
	g.emit("member:m1", model.EventMemberDisabled, map[string]string{"id": "m1"})
	for range 40 {
		g.run()
		g.now = g.now.Add(5 * time.Hour)
	}
	items, _ := g.st.Outbox().List(t.Context(), "t1", store.OutboxQuery{Kind: Kind})
	got, err := g.svc.Get(t.Context(), "t1", e.ID)
	if err != nil || items.Items[0].Status != model.OutboxFailed || !got.Disabled || !strings.Contains(got.DisabledReason, "3 days") {
		t.Fatalf("after 3 days: item %+v, endpoint %+v, %v", items.Items[0], got, err)
	}
	// Attempts at once, +5s, +5m, +30m, +2h, +5h, +10h, then every 10h up to 72h.
	if n := len(r.got); n < 10 || n > 14 {
		t.Fatalf("%d attempts in 3 days", n)
	}
	events, err := g.st.Audit().List(t.Context(), "t1", store.AuditQuery{Action: "webhook.disable"})
	if err != nil || len(events.Items) != 1 {
		t.Fatalf("audit %+v %v", events.Items, err)
	}
	// The enabled administrator is mailed, in the same transaction; nobody else.
	mails, err := g.st.Outbox().List(t.Context(), "t1", store.OutboxQuery{Kind: mail.Kind})
	if err != nil || len(mails.Items) != 1 {
		t.Fatalf("mails to administrators: %+v %v", mails.Items, err)
	}
	payload, err := outbox.Open(g.svc.Secrets, mails.Items[0])
	if err != nil || !strings.Contains(string(payload), "admin@t1.example") || !strings.Contains(string(payload), "/admin/webhooks/"+e.ID) {
		t.Fatalf("the mail: %s %v", payload, err)
	}
	// Nothing more goes to a disabled endpoint.
	g.emit("member:m1", model.EventMemberEnabled, map[string]string{"id": "m1"})
	g.run()
	if n := len(r.got); n > 14 {
		t.Fatal("a disabled endpoint was sent more")
	}
}

// TestDeliveriesListedAndResent: an endpoint's deliveries show where each
// stands, the receiver's last answer and when; one sent again reaches the
// receiver with the same webhook-id, after the member's pending ones; a
// disabled endpoint must be enabled before anything is resent to it.
func TestDeliveriesListedAndResent(t *testing.T) {
	r := newReceiver(t, http.StatusServiceUnavailable)
	g := newRig(t, r)
	e := g.endpoint(r)
	g.emit("m1", model.EventMemberDisabled, map[string]string{"id": "m1"})
	g.run()
	p, err := g.svc.Deliveries(t.Context(), "t1", e.ID, "", 0)
	if err != nil || len(p.Items) != 1 {
		t.Fatalf("deliveries %+v %v", p, err)
	}
	v := p.Items[0].View()
	if v.Status != "pending" || v.Attempts != 1 || v.LastResponseCode != 503 || !v.LastAttemptAt.Equal(clock) ||
		!v.NextAttemptAt.Equal(clock.Add(5*time.Second)) || v.EventType != model.EventMemberDisabled || v.MemberID != "m1" ||
		v.WebhookID != r.got[0].id || v.EndpointID != e.ID {
		t.Fatalf("after a 503: %+v", v)
	}
	g.now = g.now.Add(5 * time.Second)
	g.run()
	d, err := g.svc.Delivery(t.Context(), "t1", e.ID, v.ID)
	if v = d.View(); err != nil || v.Status != "sent" || v.LastResponseCode != 200 || v.Attempts != 2 || !v.DoneAt.Equal(g.now) {
		t.Fatalf("after a 200: %+v %v", v, err)
	}

	again, err := g.svc.Redeliver(t.Context(), "cli", "t1", e.ID, v.ID)
	if err != nil || again.View().WebhookID != v.WebhookID || again.Item.ID == d.Item.ID {
		t.Fatalf("redeliver: %+v %v", again, err)
	}
	g.run()
	if len(r.got) != 3 || r.got[2].id != r.got[0].id || r.got[2].body != r.got[0].body {
		t.Fatalf("the redelivery differs: %+v", r.got)
	}
	if events, _ := g.st.Audit().List(t.Context(), "t1", store.AuditQuery{Action: "webhook.redeliver"}); len(events.Items) != 1 {
		t.Fatalf("redelivery audit %+v", events.Items)
	}

	if err := g.svc.disable(t.Context(), e, "by hand"); err != nil {
		t.Fatal(err)
	}
	if _, err := g.svc.Redeliver(t.Context(), "cli", "t1", e.ID, v.ID); !isConflict(err) {
		t.Fatalf("redelivered to a disabled endpoint: %v", err)
	}
	if _, err := g.svc.Enable(t.Context(), "cli", "t1", e.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := g.svc.Redeliver(t.Context(), "cli", "t1", e.ID, v.ID); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"", "0", "-1", "abc", "99999"} {
		if _, err := g.svc.Redeliver(t.Context(), "cli", "t1", e.ID, id); !isNotFound(err) {
			t.Errorf("redeliver %q: %v", id, err)
		}
	}
	if _, err := g.svc.Deliveries(t.Context(), "t1", e.ID, "x", 0); err == nil {
		t.Error("a bad cursor was taken")
	}
}

func isConflict(err error) bool {
	_, ok := errors.AsType[*problem.Conflict](err)
	return ok
}
