package console

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/guildgate/guildgate/internal/admin/signing"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

type auditPage struct {
	base
	Action, Actor, Target string
	Events                []model.AuditEvent
	NextURL               string
}

func (h *Handler) listAudit(w http.ResponseWriter, r *http.Request, c *call) error {
	q := r.URL.Query()
	aq := store.AuditQuery{Action: q.Get("action"), Actor: q.Get("actor"), Target: q.Get("target"), Limit: pageSize}
	if s := q.Get("before"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return httpx.BadRequest("That page link is not valid; start again from the audit log.")
		}
		aq.Before = n
	}
	p, err := h.Audit.List(r.Context(), c.tenant.ID, aq)
	if err != nil {
		return err
	}
	page := auditPage{base: pageBase(r, c, "audit", "Audit log"), Action: aq.Action, Actor: aq.Actor, Target: aq.Target, Events: p.Items}
	if p.Next != "" {
		page.NextURL = "/admin/audit?" + url.Values{"action": {aq.Action}, "actor": {aq.Actor}, "target": {aq.Target},
			"before": {p.Next}}.Encode()
	}
	return h.views.render(w, http.StatusOK, "audit", page)
}

type keysPage struct {
	base
	Keys []model.SigningKey
}

func (h *Handler) listKeys(w http.ResponseWriter, r *http.Request, c *call) error {
	ks, err := h.Signing.List(r.Context(), c.tenant.ID)
	if err != nil {
		return err
	}
	return h.views.render(w, http.StatusOK, "keys", keysPage{base: pageBase(r, c, "keys", "Signing keys"), Keys: ks})
}

func (h *Handler) rotateKeys(w http.ResponseWriter, r *http.Request, c *call) error {
	if _, err := signing.Rotate(r.Context(), h.Signing, h.Audit, h.Now(), c.actor(), c.tenant.ID); err != nil {
		return err
	}
	return seeOther(w, "/admin/keys", "keys-rotated")
}

type homePage struct{ base }

func (h *Handler) home(w http.ResponseWriter, r *http.Request, c *call) error {
	return h.views.render(w, http.StatusOK, "home", homePage{pageBase(r, c, "home", "Administration")})
}
