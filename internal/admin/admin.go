// Package admin is where an association's administrators run Guildgate
// without the shell: the browser console under /admin/ (package console)
// and the JSON API under /api/v1/ (package api), both over the same
// services the CLI uses (directory, clients, keys), so no surface can store
// what another would refuse. The two surfaces are kept apart on purpose
// (STYLE.md habit 10): the console takes a member's session, checks that
// the member is an administrator and demands a CSRF token on every form;
// the API takes bearer API keys only and answers in JSON. This package
// only builds both from one set of dependencies for the composition root.
package admin

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/guildgate/guildgate/internal/admin/api"
	"github.com/guildgate/guildgate/internal/admin/apikeys"
	"github.com/guildgate/guildgate/internal/admin/console"
	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/keys"
	"github.com/guildgate/guildgate/internal/password"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/store"
)

// Handler holds what both surfaces need. Clients must be the instance the
// OpenID Provider uses, so that a change made here reaches its cache at once.
type Handler struct {
	Store    store.Store
	Clients  *clients.Service
	Signing  *keys.Manager
	Sessions *session.Manager
	Hasher   *password.Hasher
	Pages    *httpx.ErrorWriter // the site's HTML error pages
	CSRF     *httpx.CSRF
	Logger   *slog.Logger
	Now      func() time.Time
}

// Mount registers /admin/ and /api/v1/.
func (h *Handler) Mount(mux *http.ServeMux) {
	dir := &directory.Service{Members: h.Store.Members(), Groups: h.Store.Groups(), Sessions: h.Store.Sessions(),
		Audit: h.Store.Audit(), Hasher: h.Hasher, Now: h.Now}
	(&api.Handler{
		APIKeys: &apikeys.Service{Store: h.Store.APIKeys(), Audit: h.Store.Audit(), Now: h.Now},
		Dir:     dir, Clients: h.Clients, Signing: h.Signing, Audit: h.Store.Audit(), Logger: h.Logger, Now: h.Now,
	}).Mount(mux)
	(&console.Handler{
		Dir: dir, Clients: h.Clients, Signing: h.Signing, Audit: h.Store.Audit(), Sessions: h.Sessions,
		Pages: h.Pages, CSRF: h.CSRF, Logger: h.Logger, Now: h.Now,
	}).Mount(mux)
}
