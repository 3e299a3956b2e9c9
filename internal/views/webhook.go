package views

import (
	"strconv"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// WebhookEndpoint is a webhook endpoint. Its signing secrets are never
// shown, only how many sign now and when the oldest overlap ends; Secret
// is set only in the answer that made a new one (add, rotate-secret).
type WebhookEndpoint struct {
	ID             string    `json:"id"`
	URL            string    `json:"url"`
	Events         []string  `json:"events"`
	Disabled       bool      `json:"disabled"`
	DisabledReason string    `json:"disabled_reason"`
	LiveSecrets    int       `json:"live_secrets"`
	OverlapEndsAt  time.Time `json:"overlap_ends_at,omitzero"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	Secret         string    `json:"secret,omitempty"`
}

// WebhookEndpointOf is the view of e at now, with secret when one was made.
func WebhookEndpointOf(e model.WebhookEndpoint, now time.Time, secret string) WebhookEndpoint {
	v := WebhookEndpoint{ID: e.ID, URL: e.URL, Events: list(e.Events), Disabled: e.Disabled,
		DisabledReason: e.DisabledReason, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt, Secret: secret}
	for _, s := range e.Secrets {
		if s.ExpiresAt.IsZero() || now.Before(s.ExpiresAt) {
			v.LiveSecrets++
			if !s.ExpiresAt.IsZero() && s.ExpiresAt.After(v.OverlapEndsAt) {
				v.OverlapEndsAt = s.ExpiresAt
			}
		}
	}
	return v
}

// WebhookDelivery is one event sent (or being sent) to a webhook endpoint:
// where it stands, how many attempts it took, what the receiver last
// answered (last_response_code 0: no answer, e.g. a timeout or a refused
// address, which last_error then names) and when. id is what `webhook
// redeliver` and the API take; webhook_id the receiver's duplicate key.
type WebhookDelivery struct {
	ID               string    `json:"id"`
	EndpointID       string    `json:"endpoint_id"`
	EventType        string    `json:"event_type"`
	MemberID         string    `json:"member_id"`
	WebhookID        string    `json:"webhook_id"`
	Status           string    `json:"status"`
	Attempts         int       `json:"attempts"`
	LastResponseCode int       `json:"last_response_code"`
	LastError        string    `json:"last_error"`
	CreatedAt        time.Time `json:"created_at"`
	LastAttemptAt    time.Time `json:"last_attempt_at,omitzero"`
	NextAttemptAt    time.Time `json:"next_attempt_at,omitzero"` // while pending
	DoneAt           time.Time `json:"done_at,omitzero"`
}

// WebhookDeliveryOf is the view of outbox item it, a delivery of an event
// of eventType with that webhook-id. Its stream is "<endpoint>:<member>".
func WebhookDeliveryOf(it model.OutboxItem, eventType, webhookID string) WebhookDelivery {
	endpoint, member, _ := strings.Cut(it.Stream, ":")
	v := WebhookDelivery{ID: strconv.FormatInt(it.ID, 10), EndpointID: endpoint, EventType: eventType, MemberID: member,
		WebhookID: webhookID, Status: string(it.Status), Attempts: it.Attempts, LastResponseCode: it.LastCode,
		LastError: it.LastError, CreatedAt: it.CreatedAt, LastAttemptAt: it.LastAttemptAt, DoneAt: it.DoneAt}
	if it.Status == model.OutboxPending {
		v.NextAttemptAt = it.NextAttemptAt
	}
	return v
}
