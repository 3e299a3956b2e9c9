package api

import (
	"net/http"
	"strconv"

	"github.com/guildgate/guildgate/internal/admin/signing"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/views"
)

func (h *Handler) listAudit(w http.ResponseWriter, r *http.Request, c *call) error {
	limit, after, err := pageQuery(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	aq := store.AuditQuery{Action: q.Get("action"), Actor: q.Get("actor"), Target: q.Get("target"), Limit: limit}
	if after != "" {
		if aq.Before, err = strconv.ParseInt(after, 10, 64); err != nil || aq.Before <= 0 {
			return invalid("after", "not a cursor this API issued")
		}
	}
	p, err := h.Audit.List(r.Context(), c.tenant.ID, aq)
	if err != nil {
		return err
	}
	out := auditList{Items: make([]auditView, len(p.Items)), Next: p.Next}
	for i, e := range p.Items {
		out.Items[i] = auditViewOf(e)
	}
	return ok(w, out)
}

// auditViewOf is the view of one audit event; no detail is {}, not null.
func auditViewOf(e model.AuditEvent) auditView {
	detail := e.Detail
	if detail == nil {
		detail = map[string]string{}
	}
	return auditView{ID: e.ID, At: e.At, Actor: e.Actor, Action: e.Action, Target: e.Target, IP: e.IP, Detail: detail}
}

func (h *Handler) listKeys(w http.ResponseWriter, r *http.Request, c *call) error {
	ks, err := h.Signing.List(r.Context(), c.tenant.ID)
	if err != nil {
		return err
	}
	return ok(w, keyListOf(ks))
}

func (h *Handler) rotateKeys(w http.ResponseWriter, r *http.Request, c *call) error {
	ks, err := signing.Rotate(r.Context(), h.Signing, h.Audit, h.Now(), c.actor(), c.tenant.ID)
	if err != nil {
		return err
	}
	return ok(w, keyListOf(ks))
}

// keyListOf is the keys in the order views.Keys gives them.
func keyListOf(ks []model.SigningKey) keyList { return keyList{Items: views.Keys(ks)} }
