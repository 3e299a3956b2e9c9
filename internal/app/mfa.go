package app

import (
	"github.com/guildgate/guildgate/internal/mfa"
	"github.com/guildgate/guildgate/internal/passkeys"
)

// secondFactors is the one mfa.Service: the login step, the security
// pages, the console and the CLI share its throttle and audit.
func (a *App) secondFactors(d Deps) *mfa.Service {
	return &mfa.Service{Factors: a.store.Factors(), Passkeys: a.store.Passkeys(), Members: a.store.Members(), Secrets: d.Keyring,
		Throttle: a.limiter, Audit: a.store.Audit(), Logger: a.logger, Now: a.now}
}

// passkeyService is the one passkeys.Service: the sign-in pages and the
// security pages share its throttle and audit.
func (a *App) passkeyService(d Deps) *passkeys.Service {
	return &passkeys.Service{Passkeys: a.store.Passkeys(), Members: a.store.Members(), Markers: a.store.AuthResumes(),
		Secrets: d.Keyring, Throttle: a.limiter, Audit: a.store.Audit(), Logger: a.logger, Now: a.now}
}
