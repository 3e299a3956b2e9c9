package app

import (
	"context"
	"fmt"
	"io"

	"github.com/guildgate/guildgate/internal/account"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/onetime"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/ui"
)

// accountPages builds the member's own pages: those one-time links open
// (first-administrator setup, password reset) and forgot-password.
func (a *App) accountPages(pages *ui.UI, sessions *session.Manager, htmlErrors *httpx.ErrorWriter, csrf *httpx.CSRF) *account.Handler {
	return &account.Handler{Links: a.svc.Links, Account: a.svc.Directory, Notices: a.svc.Notices, Sessions: sessions, UI: pages, Errors: htmlErrors,
		CSRF: csrf, TrustedProxies: a.cfg.Proxies()}
}

// printSetupLink ends serve's banner with a link that creates the first
// administrator, at the site's first start only: a restart must not put a
// fresh working link into the logs again, so it says how to ask for one
// instead while the site has no administrator. A failure is logged, not
// fatal: the CLI command in the banner does the same job.
func (a *App) printSetupLink(ctx context.Context, w io.Writer) {
	token, l, err := a.svc.Links.FirstSetupLink(ctx, a.Default.ID)
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
