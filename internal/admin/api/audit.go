package api

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"

	"github.com/guildgate/guildgate/internal/admin/signing"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
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
		detail := e.Detail
		if detail == nil {
			detail = map[string]string{}
		}
		out.Items[i] = auditView{ID: e.ID, At: e.At, Actor: e.Actor, Action: e.Action, Target: e.Target, IP: e.IP, Detail: detail}
	}
	return ok(w, out)
}

func (h *Handler) listKeys(w http.ResponseWriter, r *http.Request, c *call) error {
	ks, err := h.Signing.Store.List(r.Context(), c.tenant.ID)
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

// keyListOf orders keys as an operator reads them: what signs now, what
// signs next, what is on its way out.
func keyListOf(ks []model.SigningKey) keyList {
	rank := map[model.KeyState]int{model.KeyCurrent: 0, model.KeyNext: 1, model.KeyRetired: 2}
	ks = slices.Clone(ks)
	slices.SortStableFunc(ks, func(a, b model.SigningKey) int {
		return cmp.Or(cmp.Compare(rank[a.State], rank[b.State]), cmp.Compare(a.Alg, b.Alg), b.CreatedAt.Compare(a.CreatedAt))
	})
	out := keyList{Items: make([]keyView, len(ks))}
	for i, k := range ks {
		out.Items[i] = keyView{KID: k.ID, Purpose: string(k.Purpose), Alg: k.Alg, State: string(k.State), CreatedAt: k.CreatedAt,
			ActivatedAt: k.ActivatedAt, RetiredAt: k.RetiredAt, RemoveAfter: k.RemoveAfter}
	}
	return out
}
