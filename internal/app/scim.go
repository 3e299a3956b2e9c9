package app

import (
	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/linking"
	"github.com/guildgate/guildgate/internal/password"
	"github.com/guildgate/guildgate/internal/scim"
)

// scim builds the SCIM 2.0 server: it provisions members through the same
// linking rules as federated sign-in, and changes them through the same
// directory service as the console.
func (a *App) scim(hasher *password.Hasher) *scim.Handler {
	dir := &directory.Service{Members: a.store.Members(), Groups: a.store.Groups(), Grants: a.store.Grants(),
		Clients: a.store.Clients(), Sessions: a.store.Sessions(), Audit: a.store.Audit(), Hasher: hasher, Now: a.now}
	return &scim.Handler{
		Tokens:     &scim.Tokens{Connections: a.store.Connections(), SCIM: a.store.SCIM(), Audit: a.store.Audit(), Now: a.now},
		Identities: a.store.Identities(), Members: a.store.Members(), SCIM: a.store.SCIM(), Directory: dir,
		Linking: &linking.Service{Identities: a.store.Identities(), Members: a.store.Members(), Groups: a.store.Groups(),
			Audit: a.store.Audit(), Directory: dir, Logger: a.logger, Now: a.now},
		Logger: a.logger, Now: a.now,
	}
}
