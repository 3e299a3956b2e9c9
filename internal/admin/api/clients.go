package api

import (
	"net/http"
	"time"

	"github.com/guildgate/guildgate/internal/views"
)

func (h *Handler) listClients(w http.ResponseWriter, r *http.Request, c *call) error {
	vs, err := h.Clients.List(r.Context(), c.tenant.ID)
	if err != nil {
		return err
	}
	out := clientList{Items: make([]views.Client, len(vs))}
	for i, v := range vs {
		out.Items[i] = views.ClientOf(v)
	}
	return ok(w, out)
}

func (h *Handler) createClient(w http.ResponseWriter, r *http.Request, c *call) error {
	var in clientInput
	if err := decode(r, &in); err != nil {
		return err
	}
	v, err := h.Clients.Create(r.Context(), c.actor(), c.tenant.ID, in.clients())
	if err != nil {
		return err
	}
	return created(w, views.ClientOf(v))
}

func (h *Handler) getClient(w http.ResponseWriter, r *http.Request, c *call) error {
	v, err := h.Clients.Get(r.Context(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, views.ClientOf(v))
}

func (h *Handler) updateClient(w http.ResponseWriter, r *http.Request, c *call) error {
	var p clientPatch
	if err := decode(r, &p); err != nil {
		return err
	}
	v, err := h.Clients.Update(r.Context(), c.actor(), c.tenant.ID, r.PathValue("id"), p.clients())
	if err != nil {
		return err
	}
	return ok(w, views.ClientOf(v))
}

func (h *Handler) deleteClient(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := h.Clients.Delete(r.Context(), c.actor(), c.tenant.ID, r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}

// defaultOverlap is the CLI's: a day for the partner to switch secrets.
const defaultOverlap = 24 * time.Hour

// overlapOf reads a rotation's optional {"overlap": "24h"} body, for a
// client's secret and a webhook endpoint's alike.
func overlapOf(r *http.Request) (time.Duration, error) {
	in := rotateInput{}
	if r.ContentLength != 0 { // the body is optional
		if err := decode(r, &in); err != nil {
			return 0, err
		}
	}
	if in.Overlap == "" {
		return defaultOverlap, nil
	}
	d, err := time.ParseDuration(in.Overlap)
	if err != nil {
		return 0, invalid("overlap", `must be a duration such as "24h" or "0s"`)
	}
	return d, nil
}

func (h *Handler) rotateSecret(w http.ResponseWriter, r *http.Request, c *call) error {
	overlap, err := overlapOf(r)
	if err != nil {
		return err
	}
	v, err := h.Clients.RotateSecret(r.Context(), c.actor(), c.tenant.ID, r.PathValue("id"), overlap)
	if err != nil {
		return err
	}
	return ok(w, views.ClientOf(v))
}
