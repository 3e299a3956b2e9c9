package webhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/mail"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/outbox"
	"github.com/guildgate/guildgate/internal/store"
)

// Kind is the outbox kind of a webhook delivery.
const Kind = "webhook"

// Policy is the Standard Webhooks retry schedule: at once, then after 5
// seconds, 5 minutes, 30 minutes, 2 hours, 5 hours, 10 hours and every 10
// hours until 3 days have passed; then the item fails and its endpoint is
// disabled (see Deliverer).
var Policy = outbox.Policy{
	Backoff: []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour,
		10 * time.Hour, 10 * time.Hour},
	GiveUpAfter: 3 * 24 * time.Hour,
}

// Message is one event for one endpoint, as the outbox keeps it: Body is
// exactly what is sent (and signed).
type Message struct {
	Endpoint string          `json:"endpoint"`
	Body     json.RawMessage `json:"body"`
	// ID is the webhook-id of a redelivery: the original's. Empty on a
	// first delivery, whose id follows from its outbox item.
	ID string `json:"id,omitempty"`
}

// Event is a delivery's body: {"type", "timestamp", "data"}, data being
// the member or membership as the admin API shows it.
type Event struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      any       `json:"data"`
}

// Enqueue puts ev in the outbox once for every enabled endpoint of the
// tenant that wants its type. Pass the outbox of the transaction making the
// change, so the change and its notices commit together. stream orders the
// deliveries of one subject (a member's id): each endpoint receives them
// in the order they were made.
func Enqueue(ctx context.Context, q *outbox.Queue, endpoints store.WebhookEndpoints, ob store.Outbox,
	tenantID, stream string, ev Event) error {
	es, err := wanting(ctx, endpoints, tenantID, ev.Type)
	if err != nil {
		return err
	}
	return put(ctx, q, ob, es, tenantID, stream, ev)
}

// wanting returns the tenant's enabled endpoints that want typ.
func wanting(ctx context.Context, endpoints store.WebhookEndpoints, tenantID, typ string) ([]model.WebhookEndpoint, error) {
	es, err := endpoints.List(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("webhooks: list endpoints: %w", err)
	}
	return slices.DeleteFunc(es, func(e model.WebhookEndpoint) bool {
		return e.Disabled || !slices.Contains(e.Events, typ)
	}), nil
}

func put(ctx context.Context, q *outbox.Queue, ob store.Outbox, es []model.WebhookEndpoint, tenantID, stream string, ev Event) error {
	body, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("webhooks: encode %s: %w", ev.Type, err)
	}
	for _, e := range es {
		msg, _ := json.Marshal(Message{Endpoint: e.ID, Body: body}) // a string and raw JSON always marshal
		if _, err := q.Put(ctx, ob, tenantID, Kind, e.ID+":"+stream, msg); err != nil {
			return err
		}
	}
	return nil
}

// Deliverer sends webhook items of the outbox: signed with every live
// secret of their endpoint, to its URL, through the outbound client (its
// address policy, no redirects, a bounded wait). A 2xx answer delivers;
// anything else is tried again on Policy's schedule, always with the same
// webhook-id, so a receiver can drop a repeat.
type Deliverer struct {
	Endpoints *Service
	Client    *http.Client // outbound.For(outbound.Webhook)
	Now       func() time.Time
}

// Deliver makes one attempt and returns the endpoint's HTTP status (0 when
// it gave none).
func (d Deliverer) Deliver(ctx context.Context, del outbox.Delivery) (int, error) {
	var msg Message
	if err := json.Unmarshal(del.Payload, &msg); err != nil || msg.Endpoint == "" {
		return 0, outbox.Permanent(fmt.Errorf("webhooks: not a webhook message: %w", err))
	}
	e, err := d.Endpoints.Store.Get(ctx, del.TenantID, msg.Endpoint)
	switch {
	case errors.Is(err, model.ErrNotFound):
		return 0, outbox.Permanent(errors.New("the endpoint was deleted"))
	case err != nil:
		return 0, err
	case e.Disabled:
		return 0, outbox.Permanent(errors.New("the endpoint is disabled"))
	}
	code, err := d.post(ctx, e, msg.id(del), msg.Body)
	if err != nil && !d.Now().Before(del.CreatedAt.Add(Policy.GiveUpAfter)) {
		// This failure is the last: the outbox gives the item up, and an
		// endpoint that has failed for the whole window is switched off
		// until an administrator looks (the audit log tells them).
		if derr := d.Endpoints.disable(ctx, e, "deliveries failed for 3 days: "+err.Error()); derr != nil {
			return code, errors.Join(err, derr)
		}
	}
	return code, err
}

// id is the delivery's webhook-id: the same on every attempt, and kept by
// a redelivery, so a receiver that did process the first can drop it.
func (m Message) id(del outbox.Delivery) string {
	if m.ID != "" {
		return m.ID
	}
	return MessageID(del.TenantID, del.ID)
}

// MessageID is the webhook-id of outbox item id.
func MessageID(tenantID string, id int64) string {
	return "msg_" + outbox.Delivery{TenantID: tenantID, ID: id}.Key()
}

func (d Deliverer) post(ctx context.Context, e model.WebhookEndpoint, id string, body []byte) (int, error) {
	now := d.Now()
	keys, err := d.Endpoints.Keys(e, now)
	if err != nil || len(keys) == 0 {
		return 0, outbox.Permanent(fmt.Errorf("the endpoint has no secret to sign with: %w", err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL, bytes.NewReader(body))
	if err != nil {
		return 0, outbox.Permanent(fmt.Errorf("request to the endpoint: %w", err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderID, id)
	req.Header.Set(HeaderTimestamp, fmt.Sprint(now.Unix()))
	req.Header.Set(HeaderSignature, Sign(id, now, body, keys...))
	resp, err := d.Client.Do(req)
	if err != nil {
		// The client's timer and the context's deadline race to end a
		// hanging request; an administrator reads one cause either way.
		var ne net.Error
		if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
			return 0, fmt.Errorf("post to the endpoint: no answer in time: %w", err)
		}
		return 0, fmt.Errorf("post to the endpoint: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body) // bounded by the outbound client; lets the connection be reused
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("the endpoint answered %d", resp.StatusCode)
	}
	return resp.StatusCode, nil
}

// disable switches the endpoint off, audits it and, when the site sends
// mail, tells its administrators, all in one transaction.
func (s *Service) disable(ctx context.Context, e model.WebhookEndpoint, reason string) error {
	if len(reason) > 300 {
		reason = strings.ToValidUTF8(reason[:300], "")
	}
	err := s.Atomic(ctx, func(tx store.Tx) error {
		_, err := tx.WebhookEndpoints().Update(ctx, e.TenantID, e.ID, func(e model.WebhookEndpoint) (model.WebhookEndpoint, error) {
			e.Disabled, e.DisabledReason, e.UpdatedAt = true, reason, s.now()
			return e, nil
		})
		if err != nil {
			return err
		}
		if err := s.auditIn(ctx, tx.Audit(), "system", e.TenantID, "webhook.disable", e.ID, map[string]string{"reason": reason}); err != nil {
			return err
		}
		return s.tellAdmins(ctx, tx, e)
	})
	if err != nil {
		return fmt.Errorf("disable webhook endpoint %s: %w", e.ID, err)
	}
	return nil
}

// tellAdmins mails every enabled administrator of the tenant that e was
// disabled. It reads the whole directory, a page at a time: this happens
// once per endpoint after 3 days of failures, and a store query for
// administrators alone would serve nothing else.
func (s *Service) tellAdmins(ctx context.Context, tx store.Tx, e model.WebhookEndpoint) error {
	if !s.Mail.Enabled() {
		return nil
	}
	t, err := tx.Tenants().Get(ctx, e.TenantID)
	if err != nil {
		return err
	}
	d := mail.Data{Endpoint: e.URL, Link: strings.TrimSuffix(t.Issuer, "/") + "/admin/webhooks/" + url.PathEscape(e.ID)}
	for q := (store.MemberQuery{Limit: store.MaxLimit}); ; {
		p, err := tx.Members().List(ctx, e.TenantID, q)
		if err != nil {
			return err
		}
		for _, m := range p.Items {
			if !m.Admin || m.Disabled {
				continue
			}
			if err := s.Mail.Send(ctx, tx.Outbox(), t, mail.To{Email: m.Email, Name: m.Name}, mail.TemplateWebhookDisabled, d); err != nil {
				return err
			}
		}
		if p.Next == "" {
			return nil
		}
		q.After = p.Next
	}
}
