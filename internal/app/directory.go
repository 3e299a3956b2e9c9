package app

import (
	"context"

	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/outbox"
	"github.com/guildgate/guildgate/internal/password"
	"github.com/guildgate/guildgate/internal/webhooks"
)

// directory builds the directory service every surface changes members and
// groups through (admin API and console, SCIM, federated sign-in, the
// member's own pages): each change commits with its webhook events.
func (a *App) directory(hasher *password.Hasher) *directory.Service {
	return &directory.Service{Members: a.store.Members(), Groups: a.store.Groups(), Grants: a.store.Grants(),
		Clients: a.store.Clients(), Sessions: a.store.Sessions(), Audit: a.store.Audit(), Hasher: hasher, Now: a.now,
		Atomic: a.store.Atomic, Events: &webhooks.Events{Now: a.now,
			Queue: func(context.Context) (*outbox.Queue, error) { return a.queue, nil }}}
}

var _ directory.Events = (*webhooks.Events)(nil)
