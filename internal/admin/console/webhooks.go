package console

import (
	"net/http"
	"net/url"

	"github.com/guildgate/guildgate/internal/model"
	view "github.com/guildgate/guildgate/internal/views"
	"github.com/guildgate/guildgate/internal/webhooks"
)

// The webhook pages sit under Settings: a list of endpoints with the form
// that adds one (its signing secret shown on the answer only, never
// again), and a page per endpoint listing its deliveries, each of which can
// be sent again; a disabled endpoint says why and can be switched back on.

type webhooksPage struct {
	base
	Endpoints []view.WebhookEndpoint
	Events    []string // every event type, for the add form
	URL       string
	Chosen    []string
	Errors    map[string][]string
	Created   *view.WebhookEndpoint // just added: its secret is shown this once
}

type webhookPage struct {
	base
	Endpoint   view.WebhookEndpoint
	Deliveries []view.WebhookDelivery
	More       bool
	Errors     map[string][]string
}

func (h *Handler) webhookRoutes() []route {
	return []route{
		{"GET /admin/webhooks", h.listWebhooks},
		{"POST /admin/webhooks", h.createWebhook},
		{"GET /admin/webhooks/{id}", h.showWebhook},
		{"POST /admin/webhooks/{id}/enable", h.enableWebhook},
		{"POST /admin/webhooks/{id}/deliveries/{delivery}/redeliver", h.redeliver},
		{"GET /admin/webhooks/{id}/delete", h.confirmDeleteWebhook},
		{"POST /admin/webhooks/{id}/delete", h.deleteWebhook},
	}
}

func (h *Handler) listWebhooks(w http.ResponseWriter, r *http.Request, c *call) error {
	return h.renderWebhooks(w, r, c, webhooksPage{}, http.StatusOK)
}

func (h *Handler) renderWebhooks(w http.ResponseWriter, r *http.Request, c *call, p webhooksPage, status int) error {
	es, err := h.Webhooks.List(r.Context(), c.tenant.ID)
	if err != nil {
		return err
	}
	now := h.Now()
	for _, e := range es {
		p.Endpoints = append(p.Endpoints, view.WebhookEndpointOf(e, now, ""))
	}
	p.base, p.Events = h.base(r, c, "webhooks", "Webhooks"), model.WebhookEvents
	return h.views.render(w, status, "webhooks", p)
}

func (h *Handler) createWebhook(w http.ResponseWriter, r *http.Request, c *call) error {
	in := webhooks.Input{URL: r.PostForm.Get("url"), Events: r.PostForm["events"]}
	e, secret, err := h.Webhooks.Add(r.Context(), c.actor(), c.tenant.ID, in)
	if errs, bad := fieldErrors(err); bad {
		return h.renderWebhooks(w, r, c, webhooksPage{URL: in.URL, Chosen: in.Events, Errors: errs}, http.StatusBadRequest)
	} else if err != nil {
		return err
	}
	// The secret is on this answer only: no redirect, nothing cached.
	w.Header().Set("Cache-Control", "no-store")
	v := view.WebhookEndpointOf(e, h.Now(), secret)
	return h.renderWebhooks(w, r, c, webhooksPage{Created: &v}, http.StatusOK)
}

func (h *Handler) showWebhook(w http.ResponseWriter, r *http.Request, c *call) error {
	return h.renderWebhook(w, r, c, nil, http.StatusOK)
}

func (h *Handler) renderWebhook(w http.ResponseWriter, r *http.Request, c *call, errs map[string][]string, status int) error {
	e, err := h.Webhooks.Get(r.Context(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	ds, err := h.Webhooks.Deliveries(r.Context(), c.tenant.ID, e.ID, r.URL.Query().Get("before"), pageSize)
	if err != nil {
		return err
	}
	p := webhookPage{base: h.base(r, c, "webhooks", "Webhook "+e.URL), Endpoint: view.WebhookEndpointOf(e, h.Now(), ""),
		More: ds.Next != "", Errors: errs}
	for _, d := range ds.Items {
		p.Deliveries = append(p.Deliveries, d.View())
	}
	return h.views.render(w, status, "webhook", p)
}

func (h *Handler) enableWebhook(w http.ResponseWriter, r *http.Request, c *call) error {
	e, err := h.Webhooks.Enable(r.Context(), c.actor(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return seeOther(w, "/admin/webhooks/"+url.PathEscape(e.ID), "webhook-enabled")
}

func (h *Handler) redeliver(w http.ResponseWriter, r *http.Request, c *call) error {
	id := r.PathValue("id")
	_, err := h.Webhooks.Redeliver(r.Context(), c.actor(), c.tenant.ID, id, r.PathValue("delivery"))
	if errs, bad := fieldErrors(err); bad {
		return h.renderWebhook(w, r, c, errs, http.StatusConflict)
	} else if err != nil {
		return err
	}
	return seeOther(w, "/admin/webhooks/"+url.PathEscape(id), "webhook-redelivered")
}

func (h *Handler) confirmDeleteWebhook(w http.ResponseWriter, r *http.Request, c *call) error {
	e, err := h.Webhooks.Get(r.Context(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.confirm(w, r, c, "webhooks", confirmation{Title: "Delete webhook endpoint " + e.URL + "?",
		Message: "Nothing more is sent to it, including deliveries not yet made.",
		Action:  "/admin/webhooks/" + url.PathEscape(e.ID) + "/delete", Button: "Delete endpoint",
		Back: "/admin/webhooks/" + url.PathEscape(e.ID)})
}

func (h *Handler) deleteWebhook(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := h.Webhooks.Delete(r.Context(), c.actor(), c.tenant.ID, r.PathValue("id")); err != nil {
		return err
	}
	return seeOther(w, "/admin/webhooks", "webhook-deleted")
}
