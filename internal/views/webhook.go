package views

import (
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
