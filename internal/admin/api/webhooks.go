package api

import (
	"net/http"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/views"
	"github.com/guildgate/guildgate/internal/webhooks"
)

func (h *Handler) webhookRoutes() []route {
	return []route{
		{method: "GET", path: "webhooks", summary: "List webhook endpoints", resp: webhookList{}, handle: h.listWebhooks},
		{method: "POST", path: "webhooks", summary: "Register a partner app's webhook endpoint; its signing secret " +
			"(whsec_…) is in this answer only", body: webhookInput{}, resp: views.WebhookEndpoint{}, status: http.StatusCreated,
			handle: h.createWebhook},
		{method: "GET", path: "webhooks/{id}", summary: "Get a webhook endpoint", resp: views.WebhookEndpoint{}, handle: h.getWebhook},
		{method: "DELETE", path: "webhooks/{id}", summary: "Delete a webhook endpoint; nothing more is sent to it",
			status: http.StatusNoContent, handle: h.deleteWebhook},
		{method: "POST", path: "webhooks/{id}/rotate-secret", summary: "Give an endpoint a new signing secret, shown in this " +
			"answer only; the older ones sign too during the overlap", body: rotateInput{}, resp: views.WebhookEndpoint{},
			handle: h.rotateWebhookSecret},
		{method: "POST", path: "webhooks/{id}/enable", summary: "Switch a disabled endpoint back on (one is disabled after " +
			"3 days of failed deliveries)", resp: views.WebhookEndpoint{}, handle: h.enableWebhook},
		{method: "GET", path: "webhooks/{id}/deliveries", summary: "List an endpoint's deliveries, newest first: status, " +
			"attempts, last response code, timing", query: pageParams, resp: deliveryList{}, handle: h.listDeliveries},
		{method: "POST", path: "webhooks/{id}/deliveries/{delivery}/redeliver", summary: "Send a delivery again, with " +
			"the same webhook-id", resp: views.WebhookDelivery{}, status: http.StatusCreated, handle: h.redeliver},
	}
}

type webhookList struct {
	Items []views.WebhookEndpoint `json:"items"`
}

type deliveryList struct {
	Items []views.WebhookDelivery `json:"items"`
	Next  string                  `json:"next,omitempty"`
}

// webhookInput: no events means every event type.
type webhookInput struct {
	URL    string   `json:"url"`
	Events []string `json:"events,omitempty"`
}

func (h *Handler) listWebhooks(w http.ResponseWriter, r *http.Request, c *call) error {
	es, err := h.Webhooks.List(r.Context(), c.tenant.ID)
	if err != nil {
		return err
	}
	now := h.Now()
	out := webhookList{Items: make([]views.WebhookEndpoint, len(es))}
	for i, e := range es {
		out.Items[i] = views.WebhookEndpointOf(e, now, "")
	}
	return ok(w, out)
}

func (h *Handler) createWebhook(w http.ResponseWriter, r *http.Request, c *call) error {
	var in webhookInput
	if err := decode(r, &in); err != nil {
		return err
	}
	e, secret, err := h.Webhooks.Add(r.Context(), c.actor(), c.tenant.ID, webhooks.Input{URL: in.URL, Events: in.Events})
	if err != nil {
		return err
	}
	return created(w, h.webhookView(e, secret))
}

func (h *Handler) webhookView(e model.WebhookEndpoint, secret string) views.WebhookEndpoint {
	return views.WebhookEndpointOf(e, h.Now(), secret)
}

func (h *Handler) getWebhook(w http.ResponseWriter, r *http.Request, c *call) error {
	e, err := h.Webhooks.Get(r.Context(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, h.webhookView(e, ""))
}

func (h *Handler) deleteWebhook(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := h.Webhooks.Delete(r.Context(), c.actor(), c.tenant.ID, r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}

func (h *Handler) rotateWebhookSecret(w http.ResponseWriter, r *http.Request, c *call) error {
	overlap, err := overlapOf(r)
	if err != nil {
		return err
	}
	e, secret, err := h.Webhooks.RotateSecret(r.Context(), c.actor(), c.tenant.ID, r.PathValue("id"), overlap)
	if err != nil {
		return err
	}
	return ok(w, h.webhookView(e, secret))
}

func (h *Handler) enableWebhook(w http.ResponseWriter, r *http.Request, c *call) error {
	e, err := h.Webhooks.Enable(r.Context(), c.actor(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return ok(w, h.webhookView(e, ""))
}

func (h *Handler) listDeliveries(w http.ResponseWriter, r *http.Request, c *call) error {
	limit, after, err := pageQuery(r)
	if err != nil {
		return err
	}
	p, err := h.Webhooks.Deliveries(r.Context(), c.tenant.ID, r.PathValue("id"), after, limit)
	if err != nil {
		return err
	}
	out := deliveryList{Items: make([]views.WebhookDelivery, len(p.Items)), Next: p.Next}
	for i, d := range p.Items {
		out.Items[i] = d.View()
	}
	return ok(w, out)
}

func (h *Handler) redeliver(w http.ResponseWriter, r *http.Request, c *call) error {
	d, err := h.Webhooks.Redeliver(r.Context(), c.actor(), c.tenant.ID, r.PathValue("id"), r.PathValue("delivery"))
	if err != nil {
		return err
	}
	return created(w, d.View())
}
