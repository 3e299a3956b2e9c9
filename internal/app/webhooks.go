package app

import (
	"github.com/guildgate/guildgate/internal/outbound"
	"github.com/guildgate/guildgate/internal/outbox"
	"github.com/guildgate/guildgate/internal/webhooks"
)

// registerWebhooks lets the outbox deliver webhook items: signed, through
// the outbound client (its address policy, no redirects), on the Standard
// Webhooks retry schedule, by the jobs-lease holder like every kind.
func (a *App) registerWebhooks(d Deps) {
	a.webhooks = &webhooks.Service{Store: a.store.WebhookEndpoints(), Audit: a.store.Audit(), Secrets: d.Keyring, Now: a.now,
		Outbox: a.store.Outbox(), Queue: a.queue, Atomic: a.store.Atomic}
	a.dispatcher.Kinds[webhooks.Kind] = outbox.Kind{Policy: webhooks.Policy,
		Deliverer: webhooks.Deliverer{Endpoints: a.webhooks, Client: a.outbound.For(outbound.Webhook), Now: a.now}}
}
