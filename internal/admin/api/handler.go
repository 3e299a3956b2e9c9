// Package api serves the admin API under /api/v1/: the console's operations
// as JSON, for an association's own scripts and systems. It takes bearer API
// keys only (never a browser session, so no cookie can be ridden by a
// cross-site request and the API needs no CSRF token), answers errors as
// {"error": {"code", "message", "details"}} with stable codes, and describes
// itself at /api/v1/openapi.json, generated from the very route table the
// mux is built from, so the document cannot drift from what is served.
package api

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/guildgate/guildgate/internal/admin/apikeys"
	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/connections"
	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/keys"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/onetime"
	"github.com/guildgate/guildgate/internal/samlapps"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/tenancy"
	"github.com/guildgate/guildgate/internal/webhooks"
)

// Prefix is where the API lives.
const Prefix = "/api/v1/"

// Handler serves the API. Every field is required.
type Handler struct {
	APIKeys *apikeys.Service
	Dir     *directory.Service
	Clients *clients.Service
	Signing *keys.Manager
	Links   *onetime.Service // password-reset links
	// Connections manages upstream identity-provider connections.
	Connections *connections.Service
	SAMLApps    *samlapps.Service
	// Tenants changes the site's branding, as the CLI's tenant update does.
	Tenants *tenancy.Service
	// Webhooks manages webhook endpoints and their deliveries.
	Webhooks *webhooks.Service
	Audit    store.Audit
	Logger   *slog.Logger
	Now      func() time.Time
}

// call is one authenticated request: the tenant of its host and the key it
// presented, which the audit log names as the actor.
type call struct {
	tenant model.Tenant
	key    model.APIKey
}

func (c *call) actor() string { return apikeys.Actor(c.key) }

// handlerFunc is an API operation; it runs only after authentication.
type handlerFunc func(w http.ResponseWriter, r *http.Request, c *call) error

// Mount registers every route of the table, and a catch-all that answers
// unknown paths under Prefix in JSON (after authentication, so an anonymous
// caller cannot map the API).
func (h *Handler) Mount(mux *http.ServeMux) {
	mux.Handle(Prefix, httpx.RecordRoute(h.mux()))
}

func (h *Handler) mux() *http.ServeMux {
	ew := &httpx.ErrorWriter{Logger: h.Logger, Renderer: jsonErrors{}}
	inner := http.NewServeMux()
	for _, rt := range h.routes() {
		inner.Handle(rt.pattern(), h.authenticated(ew, rt.handle))
	}
	inner.Handle(Prefix, h.authenticated(ew, func(http.ResponseWriter, *http.Request, *call) error {
		return notFound("no such API route; see " + Prefix + "openapi.json")
	}))
	return inner
}

func (h *Handler) authenticated(ew *httpx.ErrorWriter, fn handlerFunc) http.Handler {
	return httpx.Authenticated(ew, h.authenticate, classify, fn)
}

// authenticate finds the request's tenant and its API key. A request that
// carries only a session cookie is refused with 403, not 401: it is
// authenticated, as a member, but a session is not a credential here.
func (h *Handler) authenticate(r *http.Request) (*call, error) {
	t, err := tenancy.FromRequest(r)
	if err != nil {
		return nil, err
	}
	token, ok := httpx.Bearer(r)
	if !ok {
		if _, err := r.Cookie(session.CookieName); err == nil {
			return nil, forbidden("the admin API accepts API keys only (Authorization: Bearer gga_…), not a browser session")
		}
		return nil, unauthorized("send an API key as Authorization: Bearer gga_… (create one with 'guildgate apikey create')")
	}
	k, err := h.APIKeys.Authenticate(r.Context(), t.ID, token)
	if errors.Is(err, apikeys.ErrInvalidKey) {
		return nil, unauthorized("the API key is invalid, revoked, or belongs to another site").WithCause(err)
	} else if err != nil {
		return nil, err
	}
	return &call{tenant: t, key: k}, nil
}
