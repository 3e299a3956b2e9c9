package app

import (
	"context"
	"fmt"
	"io"

	"github.com/guildgate/guildgate/internal/account"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/notices"
	"github.com/guildgate/guildgate/internal/onetime"
	"github.com/guildgate/guildgate/internal/password"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/ui"
)

// links builds the one-time link service. The admin console and API build
// their own over the same store (package admin); any instance sees every
// link, since the store holds them all.
func (a *App) links(hasher *password.Hasher) *onetime.Service {
	return &onetime.Service{Links: a.store.OneTimeLinks(), Members: a.store.Members(), Audit: a.store.Audit(), Now: a.now,
		Store: a.store, Mail: a.mailer, Throttle: a.limiter, Notices: a.notices(),
		Dir: a.directory(hasher)}
}

// accountPages builds the member's own pages: those one-time links open
// (first-administrator setup, password reset) and forgot-password.
func (a *App) accountPages(pages *ui.UI, sessions *session.Manager, htmlErrors *httpx.ErrorWriter, csrf *httpx.CSRF, hasher *password.Hasher) *account.Handler {
	links := a.links(hasher)
	return &account.Handler{Links: links, Account: links.Dir, Notices: links.Notices, Sessions: sessions, UI: pages,
		Errors: htmlErrors, CSRF: csrf, TrustedProxies: a.cfg.Proxies()}
}

// notices mails members of changes to how they sign in.
func (a *App) notices() *notices.Notifier {
	return &notices.Notifier{Mail: a.mailer, Outbox: a.store.Outbox()}
}

// printSetupLink ends serve's banner with a link that creates the first
// administrator, at the site's first start only: a restart must not put a
// fresh working link into the logs again, so it says how to ask for one
// instead while the site has no administrator. A failure is logged, not
// fatal: the CLI command in the banner does the same job.
func (a *App) printSetupLink(ctx context.Context, w io.Writer) {
	token, l, err := a.links(nil).FirstSetupLink(ctx, a.Default.ID) // nil: making a link hashes no password
	switch {
	case err != nil:
		a.logger.Warn("could not create the first-administrator setup link", "err", err)
	case token != "":
		fmt.Fprintf(w, "\nOr create the first administrator in your browser (the link works once, until %s):\n  %s\n",
			l.ExpiresAt.Format("15:04 MST"), a.Default.Issuer+onetime.SetupPath+token)
	default:
		if has, err := a.store.Members().HasAdmin(ctx, a.Default.ID); err == nil && !has {
			fmt.Fprintf(w, "\nOr get a new link to create the first administrator in your browser with:\n  guildgate setup-link%s\n",
				databaseFlag(a.cfg))
		}
	}
}
