package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/outbox"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/views"
)

// Delivery is one event sent (or being sent) to one endpoint, as an
// administrator sees it: the outbox item with what it carries.
type Delivery struct {
	Item      model.OutboxItem // its stream is "<endpoint id>:<member id>"
	EventType string
	MessageID string // its webhook-id
}

// View is d as the CLI, the admin API and the console show it.
func (d Delivery) View() views.WebhookDelivery {
	return views.WebhookDeliveryOf(d.Item, d.EventType, d.MessageID)
}

// Deliveries returns a page of the endpoint's deliveries, newest first;
// before is the previous page's Next ("" for the first page), limit 0
// means store.DefaultLimit.
func (s *Service) Deliveries(ctx context.Context, tenantID, endpointID, before string, limit int) (store.Page[Delivery], error) {
	e, err := s.Get(ctx, tenantID, endpointID)
	if err != nil {
		return store.Page[Delivery]{}, err
	}
	if limit < 0 || limit > store.MaxLimit {
		return store.Page[Delivery]{}, invalid("limit", "must be between 1 and %d", store.MaxLimit)
	}
	var cursor int64
	if before != "" {
		if cursor, err = strconv.ParseInt(before, 10, 64); err != nil || cursor <= 0 {
			return store.Page[Delivery]{}, invalid("before", "must be a delivery id from an earlier page")
		}
	}
	p, err := s.Outbox.List(ctx, tenantID, store.OutboxQuery{Kind: Kind, StreamPrefix: e.ID + ":", Before: cursor, Limit: limit})
	if err != nil {
		return store.Page[Delivery]{}, fmt.Errorf("list deliveries of webhook endpoint %s: %w", e.ID, err)
	}
	out := store.Page[Delivery]{Next: p.Next, Items: make([]Delivery, 0, len(p.Items))}
	for _, it := range p.Items {
		d, _, err := s.open(it)
		if err != nil {
			return store.Page[Delivery]{}, err
		}
		out.Items = append(out.Items, d)
	}
	return out, nil
}

// Delivery finds one of the endpoint's deliveries by its id.
func (s *Service) Delivery(ctx context.Context, tenantID, endpointID, id string) (Delivery, error) {
	d, _, err := s.delivery(ctx, tenantID, endpointID, id)
	return d, err
}

func (s *Service) delivery(ctx context.Context, tenantID, endpointID, id string) (Delivery, Message, error) {
	e, err := s.Get(ctx, tenantID, endpointID)
	if err != nil {
		return Delivery{}, Message{}, err
	}
	n, perr := strconv.ParseInt(strings.TrimSpace(id), 10, 64)
	it, err := s.Outbox.Get(ctx, tenantID, n)
	switch {
	case perr != nil || n <= 0 || errors.Is(err, model.ErrNotFound) || (err == nil && (it.Kind != Kind || !strings.HasPrefix(it.Stream, e.ID+":"))):
		return Delivery{}, Message{}, &problem.NotFound{Msg: fmt.Sprintf("no delivery %q to webhook endpoint %s", id, e.ID)}
	case err != nil:
		return Delivery{}, Message{}, fmt.Errorf("delivery %s: %w", id, err)
	}
	return s.open(it)
}

// open reads what item carries.
func (s *Service) open(it model.OutboxItem) (Delivery, Message, error) {
	payload, err := outbox.Open(s.Secrets, it)
	if err != nil {
		return Delivery{}, Message{}, fmt.Errorf("delivery %d: %w", it.ID, err)
	}
	var msg Message
	var ev struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(payload, &msg); err != nil {
		return Delivery{}, Message{}, fmt.Errorf("delivery %d: %w", it.ID, err)
	}
	if err := json.Unmarshal(msg.Body, &ev); err != nil {
		return Delivery{}, Message{}, fmt.Errorf("delivery %d: %w", it.ID, err)
	}
	d := Delivery{Item: it, EventType: ev.Type, MessageID: msg.id(outbox.Delivery{TenantID: it.TenantID, ID: it.ID})}
	return d, msg, nil
}

// Redeliver sends a delivery again, as a new outbox item with the same
// body and webhook-id (a receiver that did process it can drop the
// repeat), after the member's deliveries still pending. The endpoint must
// be enabled: one disabled after 3 days of failures is enabled first
// (Enable), once its receiver works again.
func (s *Service) Redeliver(ctx context.Context, actor, tenantID, endpointID, id string) (Delivery, error) {
	d, msg, err := s.delivery(ctx, tenantID, endpointID, id)
	if err != nil {
		return Delivery{}, err
	}
	e, err := s.Get(ctx, tenantID, endpointID)
	if err != nil {
		return Delivery{}, err
	}
	if e.Disabled {
		return Delivery{}, &problem.Conflict{Msg: fmt.Sprintf("webhook endpoint %s is disabled; enable it first", e.ID)}
	}
	msg.ID = d.MessageID
	payload, _ := json.Marshal(msg) // a string and raw JSON always marshal
	q, err := s.Queue(ctx)
	if err != nil {
		return Delivery{}, err
	}
	var next int64
	err = s.Atomic(ctx, func(tx store.Tx) error {
		if next, err = q.Put(ctx, tx.Outbox(), tenantID, Kind, d.Item.Stream, payload); err != nil {
			return err
		}
		return s.auditIn(ctx, tx.Audit(), actor, tenantID, "webhook.redeliver", e.ID,
			map[string]string{"delivery": strconv.FormatInt(d.Item.ID, 10), "redelivery": strconv.FormatInt(next, 10)})
	})
	if err != nil {
		return Delivery{}, err
	}
	return s.Delivery(ctx, tenantID, endpointID, strconv.FormatInt(next, 10))
}

// Enable switches a disabled endpoint back on; deliveries that failed
// while it was off are not sent again by themselves (Redeliver them).
func (s *Service) Enable(ctx context.Context, actor, tenantID, id string) (model.WebhookEndpoint, error) {
	e, err := s.Store.Update(ctx, tenantID, strings.TrimSpace(id), func(e model.WebhookEndpoint) (model.WebhookEndpoint, error) {
		e.Disabled, e.DisabledReason, e.UpdatedAt = false, "", s.now()
		return e, nil
	})
	if err := notFound(err, id); err != nil {
		return model.WebhookEndpoint{}, err
	}
	return e, s.audit(ctx, actor, tenantID, "webhook.enable", e.ID, nil)
}
