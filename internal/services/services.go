// Package services builds the rules layer once, from one store, one master
// key and one clock, for every caller that needs it: the server (package
// app), the command line (package cli) and the tests that start either. A
// service that keeps state (the clients' and keys' caches, the throttle)
// must be one instance across every surface, so that a change made in the
// console reaches the OpenID Provider at once; building them in one place
// is what keeps it so. Surfaces never import this package: the composition
// root hands each handler the services it uses.
package services

import (
	"context"
	"log/slog"
	"time"

	"github.com/guildgate/guildgate/internal/admin/apikeys"
	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/connections"
	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/keys"
	"github.com/guildgate/guildgate/internal/linking"
	"github.com/guildgate/guildgate/internal/mail"
	"github.com/guildgate/guildgate/internal/mfa"
	"github.com/guildgate/guildgate/internal/notices"
	"github.com/guildgate/guildgate/internal/onetime"
	"github.com/guildgate/guildgate/internal/outbound"
	"github.com/guildgate/guildgate/internal/outbox"
	"github.com/guildgate/guildgate/internal/passkeys"
	"github.com/guildgate/guildgate/internal/password"
	"github.com/guildgate/guildgate/internal/samlapps"
	"github.com/guildgate/guildgate/internal/scimtokens"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/signinpolicy"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/tenancy"
	"github.com/guildgate/guildgate/internal/throttle"
	"github.com/guildgate/guildgate/internal/webhooks"
)

// Deps are what the services are built from.
type Deps struct {
	Store store.Store
	// Now is the clock; every service reads it at the store's precision.
	Now func() time.Time
	// Secrets seals client secrets, upstream secrets, webhook secrets and
	// signing keys. A command that seals and opens nothing may pass nil
	// (the command line loads the master key only when it needs it).
	Secrets *secrets.Keyring
	// Hasher defaults to argon2id at OWASP cost; tests may pass a cheaper one.
	Hasher *password.Hasher
	// Logger defaults to one that discards (the command line has none).
	Logger *slog.Logger
	// Outbound fetches SAML metadata URLs under its address policy.
	Outbound *outbound.Client
	// Mail sends invitations and reset links; one without a queue makes
	// them links shown to the administrator.
	Mail *mail.Mailer
	// Queue returns the outbox queue directory changes write their webhook
	// events to and webhook deliveries are resent through. It is asked only
	// when an endpoint wants an event, so that a command-line change in a
	// tenant without endpoints needs no master key (the queue seals with it).
	Queue func(context.Context) (*outbox.Queue, error)
	// The login rates; zero values take the throttle's defaults.
	AccountAddressRate, AccountRate, IPRate throttle.Rate
}

// Services is every service, each built once over Deps.
type Services struct {
	Tenants     *tenancy.Service
	Directory   *directory.Service
	Clients     *clients.Service
	Connections *connections.Service
	Keys        *keys.Manager
	Links       *onetime.Service
	MFA         *mfa.Service
	Passkeys    *passkeys.Service
	Notices     *notices.Notifier      // mails members of changes to how they sign in
	Policy      *signinpolicy.Checker  // decides what a sign-in must show
	Settings    *signinpolicy.Settings // changes the second-factor policies
	SAMLApps    *samlapps.Service
	Webhooks    *webhooks.Service
	APIKeys     *apikeys.Service
	Linking     *linking.Service
	SCIMTokens  *scimtokens.Service // issued by the command line, checked by the SCIM server
	Throttle    *throttle.Limiter
	Hasher      *password.Hasher // the one the directory sets passwords with; login checks them
}

// New builds the services. It does no I/O.
func New(d Deps) *Services {
	st, now := d.Store, func() time.Time { return store.Stamp(d.Now()) }
	if d.Hasher == nil {
		d.Hasher = password.NewHasher(password.OWASP)
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	limiter := &throttle.Limiter{Store: st.Throttles(), Atomic: st.Atomic, Now: now, AccountAddress: d.AccountAddressRate,
		Account: d.AccountRate, IP: d.IPRate}
	dir := &directory.Service{Members: st.Members(), Groups: st.Groups(), Grants: st.Grants(),
		Clients: st.Clients(), Sessions: st.Sessions(), Audit: st.Audit(), Hasher: d.Hasher, Now: now,
		Atomic: st.Atomic, Events: &webhooks.Events{Queue: d.Queue, Now: now}}
	notifier := &notices.Notifier{Mail: d.Mail, Outbox: st.Outbox()}
	factors := &mfa.Service{Factors: st.Factors(), Passkeys: st.Passkeys(), Members: st.Members(), Secrets: d.Secrets, Throttle: limiter,
		Audit: st.Audit(), Logger: d.Logger, Now: now, Notices: notifier}
	return &Services{
		Tenants:   &tenancy.Service{Store: st.Tenants(), Audit: st.Audit(), Now: now, Atomic: st.Atomic},
		Directory: dir,
		Clients: &clients.Service{Store: st.Clients(), Groups: st.Groups(), Grants: st.Grants(), Audit: st.Audit(),
			Secrets: d.Secrets, Now: now},
		Connections: &connections.Service{Store: st.Connections(), SetupLinks: st.SetupLinks(), Groups: st.Groups(),
			Audit: st.Audit(), Secrets: d.Secrets, Now: now},
		Keys: &keys.Manager{Store: st.Keys(), Secrets: d.Secrets, Now: now},
		Links: &onetime.Service{Links: st.OneTimeLinks(), Members: st.Members(), Dir: dir, Audit: st.Audit(),
			Now: now, Atomic: st.Atomic, Mail: d.Mail, Throttle: limiter, Notices: notifier},
		MFA: factors,
		Passkeys: &passkeys.Service{Passkeys: st.Passkeys(), Members: st.Members(), Markers: st.AuthResumes(),
			Secrets: d.Secrets, Throttle: limiter, Audit: st.Audit(), Logger: d.Logger, Now: now},
		Notices:  notifier,
		Policy:   &signinpolicy.Checker{Policies: st.MFAPolicies(), MFA: factors},
		Settings: &signinpolicy.Settings{Policies: st.MFAPolicies(), Audit: st.Audit(), Now: now},
		SAMLApps: &samlapps.Service{Store: st.SAMLApps(), Groups: st.Groups(), Audit: st.Audit(),
			Fetch: d.Outbound.For(outbound.SAMLMetadata), Now: now},
		Webhooks: &webhooks.Service{Store: st.WebhookEndpoints(), Audit: st.Audit(), Secrets: d.Secrets, Now: now,
			Outbox: st.Outbox(), Queue: d.Queue, Atomic: st.Atomic, Mail: d.Mail},
		APIKeys: &apikeys.Service{Store: st.APIKeys(), Audit: st.Audit(), Now: now},
		Linking: &linking.Service{Identities: st.Identities(), Members: st.Members(), Groups: st.Groups(),
			Audit: st.Audit(), Directory: dir, Logger: d.Logger, Now: now},
		SCIMTokens: &scimtokens.Service{Connections: st.Connections(), SCIM: st.SCIM(), Audit: st.Audit(), Now: now},
		Throttle:   limiter,
		Hasher:     d.Hasher,
	}
}

var _ directory.Events = (*webhooks.Events)(nil)
