package api

import (
	"net/http"

	"github.com/guildgate/guildgate/internal/connections"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/views"
)

func (h *Handler) connectionRoutes() []route {
	return []route{
		{method: "GET", path: "connections", summary: "List connections to organisations' identity providers",
			resp: connectionList{}, handle: h.listConnections},
		{method: "POST", path: "connections", summary: "Connect an organisation's identity provider; with only a name and " +
			"domains it is a draft to complete through a setup link", body: connectionInput{}, resp: views.Connection{},
			status: http.StatusCreated, handle: h.createConnection},
		{method: "GET", path: "connections/{id}", summary: "Get a connection (its client secret is never returned)",
			resp: views.Connection{}, handle: h.getConnection},
		{method: "PATCH", path: "connections/{id}", summary: "Change some of a connection's settings", body: connectionPatch{},
			resp: views.Connection{}, handle: h.updateConnection},
		{method: "DELETE", path: "connections/{id}", summary: "Delete a connection and the identities linked through it",
			status: http.StatusNoContent, handle: h.deleteConnection},
		{method: "POST", path: "connections/{id}/setup-link", summary: "Make a single-use link, valid 72 hours, on which " +
			"the organisation's IT contact enters their provider's details; it is shown only here",
			resp: views.SetupLink{}, status: http.StatusCreated, handle: h.createSetupLink},
	}
}

func (h *Handler) listConnections(w http.ResponseWriter, r *http.Request, c *call) error {
	cs, err := h.Connections.List(r.Context(), c.tenant.ID)
	if err != nil {
		return err
	}
	names, err := h.Connections.GroupNames(r.Context(), c.tenant.ID)
	if err != nil {
		return err
	}
	out := connectionList{Items: make([]views.Connection, len(cs))}
	for i, conn := range cs {
		out.Items[i] = views.ConnectionOf(conn, callbackURL(c.tenant), names)
	}
	return ok(w, out)
}

// callbackURL is where t's members come back from a connected provider.
func callbackURL(t model.Tenant) string { return connections.CallbackURL(t.Issuer) }

// respondConnection answers with the view of conn, whose group mapping
// names groups as the administrator does (the store keeps their IDs).
func (h *Handler) respondConnection(w http.ResponseWriter, r *http.Request, c *call, status int, conn model.Connection) error {
	names, err := h.Connections.GroupNames(r.Context(), c.tenant.ID)
	if err != nil {
		return err
	}
	writeJSON(w, status, views.ConnectionOf(conn, callbackURL(c.tenant), names))
	return nil
}

func (h *Handler) createConnection(w http.ResponseWriter, r *http.Request, c *call) error {
	var in connectionInput
	if err := decode(r, &in); err != nil {
		return err
	}
	conn, err := h.Connections.Create(r.Context(), c.actor(), c.tenant.ID, in.connections())
	if err != nil {
		return err
	}
	return h.respondConnection(w, r, c, http.StatusCreated, conn)
}

func (h *Handler) getConnection(w http.ResponseWriter, r *http.Request, c *call) error {
	conn, err := h.Connections.Get(r.Context(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.respondConnection(w, r, c, http.StatusOK, conn)
}

func (h *Handler) updateConnection(w http.ResponseWriter, r *http.Request, c *call) error {
	var p connectionPatch
	if err := decode(r, &p); err != nil {
		return err
	}
	conn, err := h.Connections.Update(r.Context(), c.actor(), c.tenant.ID, r.PathValue("id"), p.connections())
	if err != nil {
		return err
	}
	return h.respondConnection(w, r, c, http.StatusOK, conn)
}

func (h *Handler) deleteConnection(w http.ResponseWriter, r *http.Request, c *call) error {
	if _, err := h.Connections.Delete(r.Context(), c.actor(), c.tenant.ID, r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}

func (h *Handler) createSetupLink(w http.ResponseWriter, r *http.Request, c *call) error {
	token, l, err := h.Connections.CreateSetupLink(r.Context(), c.actor(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return created(w, views.SetupLink{URL: c.tenant.Issuer + connections.SetupPath + token, ExpiresAt: l.ExpiresAt})
}
