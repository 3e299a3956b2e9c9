package app

import (
	"github.com/guildgate/guildgate/internal/linking"
	"github.com/guildgate/guildgate/internal/password"
	"github.com/guildgate/guildgate/internal/scim"
)

// scim builds the SCIM 2.0 server: it provisions members through the same
// linking rules as federated sign-in, and changes them through the same
// directory service as the console.
func (a *App) scim(hasher *password.Hasher) *scim.Handler {
	dir := a.directory(hasher)
	return &scim.Handler{
		Tokens:     &scim.Tokens{Connections: a.store.Connections(), SCIM: a.store.SCIM(), Audit: a.store.Audit(), Now: a.now},
		Identities: a.store.Identities(), Members: a.store.Members(), SCIM: a.store.SCIM(), Directory: dir,
		Linking: &linking.Service{Identities: a.store.Identities(), Members: a.store.Members(), Groups: a.store.Groups(),
			Audit: a.store.Audit(), Directory: dir, Logger: a.logger, Now: a.now},
		Logger: a.logger, Now: a.now,
	}
}
