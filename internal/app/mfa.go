package app

import "github.com/guildgate/guildgate/internal/mfa"

// secondFactors is the one mfa.Service: the login step, the security
// pages, the console and the CLI share its throttle and audit.
func (a *App) secondFactors(d Deps) *mfa.Service {
	return &mfa.Service{Factors: a.store.Factors(), Members: a.store.Members(), Secrets: d.Keyring,
		Throttle: a.limiter, Audit: a.store.Audit(), Logger: a.logger, Now: a.now}
}
