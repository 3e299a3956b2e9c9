// Package scim serves SCIM 2.0 (RFC 7643, RFC 7644) at /scim/v2/, so that an
// organisation's directory (Okta, Microsoft Entra ID) can keep its people
// in step with Guildgate: create them, change them, switch them off the
// moment they leave, and push its groups. Each request carries the bearer
// token of one connection and acts for that connection alone: it sees and
// changes only the members linked to it through SCIM, creates them by the
// linking rules that federation follows (internal/linking), only for the
// connection's email domains, and reaches local groups only through the
// connection's group map. Errors are in SCIM's own JSON form.
package scim

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/linking"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/scimtokens"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/tenancy"
)

// Prefix is where SCIM lives on a tenant's host.
const Prefix = "/scim/v2/"

// Handler serves SCIM. Every field is required.
type Handler struct {
	Tokens     *scimtokens.Service
	Identities store.Identities
	Members    store.Members
	SCIM       store.SCIM
	Directory  *directory.Service
	Linking    *linking.Service
	Audit      store.Audit // the SCIM groups' changes; the services audit the members'
	Logger     *slog.Logger
	Now        func() time.Time
}

// call is one authenticated request: the tenant of its host and the
// connection whose token it presented, which the audit log names as the
// actor.
type call struct {
	tenant model.Tenant
	conn   model.Connection
	base   string // the absolute URL of Prefix, for meta.location
}

func (c *call) actor() string { return linking.Actor(c.conn) }

type handlerFunc func(w http.ResponseWriter, r *http.Request, c *call) error

// Mount registers every SCIM route, and a catch-all that answers unknown
// paths under Prefix in SCIM's error form (after authentication, so an
// anonymous caller cannot map the service).
func (h *Handler) Mount(mux *http.ServeMux) {
	ew := &httpx.ErrorWriter{Logger: h.Logger, Renderer: scimErrors{}}
	inner := http.NewServeMux()
	for path, methods := range h.routes() {
		inner.Handle(Prefix+path, h.authenticated(ew, func(w http.ResponseWriter, r *http.Request, c *call) error {
			fn, ok := methods[r.Method]
			if !ok {
				return fail(http.StatusMethodNotAllowed, "", r.Method+" is not served at "+Prefix+path)
			}
			return fn(w, r, c)
		}))
	}
	inner.Handle(Prefix, h.authenticated(ew, func(http.ResponseWriter, *http.Request, *call) error {
		return fail(http.StatusNotFound, "", "no such SCIM endpoint; this server serves Users, Groups, "+
			"ServiceProviderConfig, ResourceTypes and Schemas (no Bulk, no .search)")
	}))
	mux.Handle(Prefix, httpx.RecordRoute(inner))
}

// routes maps each path under Prefix to its methods. Methods are chosen
// here rather than in the mux's patterns so that a wrong one is answered
// in SCIM's error form too.
func (h *Handler) routes() map[string]map[string]handlerFunc {
	return map[string]map[string]handlerFunc{
		"ServiceProviderConfig": {"GET": serviceProviderConfig},
		"ResourceTypes":         {"GET": listOf(resourceTypeList)},
		"ResourceTypes/{id}":    {"GET": oneOf("ResourceType", resourceTypeList)},
		"Schemas":               {"GET": listOf(schemaList)},
		"Schemas/{id}":          {"GET": oneOf("Schema", schemaList)},
		"Users":                 {"GET": h.listUsers, "POST": h.createUser},
		"Users/{id}":            {"GET": h.getUser, "PUT": h.replaceUser, "PATCH": h.patchUser, "DELETE": h.deleteUser},
		"Groups":                {"GET": h.listGroups, "POST": h.createGroup},
		"Groups/{id}":           {"GET": h.getGroup, "PUT": h.replaceGroup, "PATCH": h.patchGroup, "DELETE": h.deleteGroup},
	}
}

func (h *Handler) authenticated(ew *httpx.ErrorWriter, fn handlerFunc) http.Handler {
	return httpx.Authenticated(ew, h.authenticate, classify, fn)
}

func (h *Handler) authenticate(r *http.Request) (*call, error) {
	t, err := tenancy.FromRequest(r)
	if err != nil {
		return nil, err
	}
	token, ok := httpx.Bearer(r)
	if !ok {
		return nil, fail(http.StatusUnauthorized, "", "send the connection's SCIM token as Authorization: Bearer "+
			scimtokens.Prefix+"… (issue one with 'guildgate connection scim-token ID')")
	}
	c, err := h.Tokens.Authenticate(r.Context(), t.ID, token)
	if errors.Is(err, scimtokens.ErrInvalid) {
		e := fail(http.StatusUnauthorized, "", "the SCIM token is invalid, replaced, or of another site")
		e.Cause = err
		return nil, e
	} else if err != nil {
		return nil, err
	}
	return &call{tenant: t, conn: c, base: strings.TrimSuffix(t.Issuer, "/") + Prefix}, nil
}

func (h *Handler) now() time.Time { return store.Stamp(h.Now()) }
