package console

import (
	"context"
	"net/http"
	"time"

	"github.com/guildgate/guildgate/internal/connections"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/upstream"
	upoidc "github.com/guildgate/guildgate/internal/upstream/oidc"
)

// Federation is what the console needs of upstream sign-in (package
// federation's Handler): the connection checks, and the start of a test
// sign-in whose claims come back to TestClaims.
type Federation interface {
	CheckConnection(ctx context.Context, t model.Tenant, c model.Connection) ([]upoidc.Finding, error)
	BeginTest(w http.ResponseWriter, r *http.Request, t model.Tenant, c model.Connection, back string) (string, error)
}

// connRow is one connection in the list.
type connRow struct {
	ID, Name   string
	Domains    []string
	Active     bool // provider details given: sign-in routes to it
	ShowButton bool
}

type connectionsPage struct {
	base
	Connections []connRow
}

func (h *Handler) listConnections(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.Connections.List(r.Context(), c.tenant.ID)
	if err != nil {
		return err
	}
	rows := make([]connRow, len(cs))
	for i, conn := range cs {
		rows[i] = connRow{ID: conn.ID, Name: conn.Name, Domains: conn.Domains, Active: connections.Ready(conn),
			ShowButton: conn.ShowButton}
	}
	return h.views.render(w, http.StatusOK, "connections",
		connectionsPage{base: pageBase(r, c, "connections", "Upstream connections"), Connections: rows})
}

// setupLinkPage shows a new setup link, once: only its hash is stored.
type setupLinkPage struct {
	base
	ConnectionID, Name string
	Link               oneTimeLink
	ExpiresAt          time.Time
}

// createSetupLink makes a single-use link on which the organisation's IT
// contact enters their provider's details, for the administrator to pass on.
func (h *Handler) createSetupLink(w http.ResponseWriter, r *http.Request, c *call) error {
	token, l, err := h.Connections.CreateSetupLink(r.Context(), c.actor(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	conn, err := h.Connections.Get(r.Context(), c.tenant.ID, l.ConnectionID)
	if err != nil {
		return err
	}
	return h.views.render(w, http.StatusOK, "connection_link", setupLinkPage{base: pageBase(r, c, "connections", "Setup link"),
		ConnectionID: conn.ID, Name: conn.Name, Link: oneTimeLink{"setup-link", "Setup link", c.tenant.Issuer + connections.SetupPath + token}, ExpiresAt: l.ExpiresAt})
}

func (h *Handler) confirmDeleteConnection(w http.ResponseWriter, r *http.Request, c *call) error {
	conn, err := h.Connections.Get(r.Context(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.confirm(w, r, c, "connections", confirmation{
		Title: "Delete connection " + conn.Name + "?",
		Message: "Members of its domains can no longer sign in through their organisation; their accounts stay, " +
			"and those with a password can still use it. The links between their accounts and the provider are removed. This cannot be undone.",
		Action: "/admin/connections/" + conn.ID + "/delete", Button: "Delete connection", Back: "/admin/connections",
	})
}

func (h *Handler) deleteConnection(w http.ResponseWriter, r *http.Request, c *call) error {
	if _, err := h.Connections.Delete(r.Context(), c.actor(), c.tenant.ID, r.PathValue("id")); err != nil {
		return err
	}
	return seeOther(w, "/admin/connections", "connection-deleted")
}

// testPage is "Test connection": the checks' findings, and the way to a
// real sign-in round trip.
type testPage struct {
	base
	ID, Name string
	Active   bool
	Findings []upoidc.Finding
	Problems int
}

func (h *Handler) testConnection(w http.ResponseWriter, r *http.Request, c *call) error {
	conn, err := h.Connections.Get(r.Context(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	p := testPage{base: pageBase(r, c, "connections", "Test connection "+conn.Name), ID: conn.ID, Name: conn.Name,
		Active: connections.Ready(conn)}
	if p.Active {
		if p.Findings, err = h.Federation.CheckConnection(r.Context(), c.tenant, conn); err != nil {
			return err
		}
	}
	for _, f := range p.Findings {
		if !f.OK {
			p.Problems++
		}
	}
	return h.views.render(w, http.StatusOK, "connection_test", p)
}

// trySignIn starts a test round trip to the provider. It is a GET reached
// by a link, as /auth/sso/start is: a form's CSP form-action would stop the
// redirect to the provider, and it changes nothing but a single-use state.
func (h *Handler) trySignIn(w http.ResponseWriter, r *http.Request, c *call) error {
	conn, err := h.Connections.Get(r.Context(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	to, err := h.Federation.BeginTest(w, r, c.tenant, conn, "/admin/connections/"+conn.ID+"/test")
	if err != nil {
		return err
	}
	return seeOther(w, to, "")
}

// claimsPage shows what a test sign-in received. Nothing was stored.
type claimsPage struct {
	base
	ID, Name string
	Claims   upstream.Claims
	Raw      []claimRow
}

type claimRow struct{ Name, Value string }
