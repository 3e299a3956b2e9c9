package app

import (
	"github.com/guildgate/guildgate/internal/scim"
)

// scim builds the SCIM 2.0 server: it provisions members through the same
// linking rules as federated sign-in, and changes them through the same
// directory service as the console.
func (a *App) scim() *scim.Handler {
	return &scim.Handler{
		Tokens:     a.svc.SCIMTokens,
		Identities: a.store.Identities(), Members: a.store.Members(), SCIM: a.store.SCIM(), Directory: a.svc.Directory,
		Linking: a.svc.Linking, Audit: a.store.Audit(), Logger: a.logger, Now: a.now,
	}
}
