package samlidp

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/guildgate/guildgate/internal/auditlog"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/saml"
	"github.com/guildgate/guildgate/internal/session"
)

// slo answers an SP-initiated LogoutRequest: it ends the member's
// Guildgate session(s) it names and sends the signed LogoutResponse back in
// the binding the request came with. The Redirect binding arrives with the
// session cookie; a cross-site POST does not (SameSite=Lax), so sessions
// are found by the SessionIndex Guildgate gave the app, not by the cookie.
func (h *Handler) slo(w http.ResponseWriter, r *http.Request) error {
	t, idp, err := h.begin(w, r)
	if err != nil {
		return err
	}
	lr, err := idp.ParseLogoutRequest(r)
	if err != nil {
		return refusal(err)
	}
	ended, err := h.endSessions(w, r, t, lr)
	if err != nil {
		return httpx.Internal(err)
	}
	reply, err := idp.LogoutResponse(lr, true)
	if err != nil {
		return httpx.Internal(err)
	}
	if err := h.recordLogout(r, t, lr, ended); err != nil {
		return httpx.Internal(err)
	}
	if reply.Redirect != "" {
		w.Header().Set("Location", reply.Redirect)
		w.WriteHeader(http.StatusFound)
		return nil
	}
	return postForm(w, *reply.Form, "LogoutResponse")
}

// endSessions ends what the request names (saml-core §3.7.3.2): the
// sessions of its SessionIndexes that belong to its principal or, when it
// names none, every session of the principal. A transient NameID names no
// member Guildgate can find again, so its sessions are trusted to the
// SessionIndexes, or else are the browser's own. It returns how many
// sessions it ended ("all" of a member counting as one).
func (h *Handler) endSessions(w http.ResponseWriter, r *http.Request, t model.Tenant, lr *saml.LogoutRequest) (int, error) {
	memberID, transient, err := h.principal(r.Context(), t, lr)
	if err != nil {
		return 0, err
	}
	cur, curMember, cerr := h.Sessions.Current(r)
	if cerr != nil && !errors.Is(cerr, session.ErrNoSession) {
		return 0, cerr
	}
	browser := cerr == nil && memberID != "" && curMember.ID == memberID && len(lr.SessionIndexes) == 0
	ended := 0
	switch {
	case len(lr.SessionIndexes) > 0 && (transient || memberID != ""):
		for _, idx := range lr.SessionIndexes {
			ok, err := h.endOne(r.Context(), t, idx, memberID)
			if err != nil {
				return 0, err
			}
			if ok {
				ended++
				browser = browser || cerr == nil && idx == cur.ID
			}
		}
	case transient:
		browser = cerr == nil
	case memberID != "":
		if err := h.SessionStore.DeleteForMember(r.Context(), t.ID, memberID); err != nil {
			return 0, fmt.Errorf("end sessions of member %s: %w", memberID, err)
		}
		ended++
	}
	if browser {
		if err := h.Sessions.End(w, r); err != nil {
			return 0, err
		}
		ended++
	}
	return ended, nil
}

// endOne ends one session by its index when it is the principal's (any
// member's, for a transient NameID: memberID is then "").
func (h *Handler) endOne(ctx context.Context, t model.Tenant, idx, memberID string) (bool, error) {
	s, err := h.SessionStore.Get(ctx, t.ID, idx)
	switch {
	case errors.Is(err, model.ErrNotFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("look up session: %w", err)
	case memberID != "" && s.MemberID != memberID:
		return false, nil
	}
	if err := h.SessionStore.Delete(ctx, t.ID, idx); err != nil && !errors.Is(err, model.ErrNotFound) {
		return false, fmt.Errorf("end session: %w", err)
	}
	return true, nil
}

// principal is the member the request's NameID names, read in the app's
// format (an email address or a member id); "" for one who does not
// exist. transient reports a transient NameID, which names nobody findable.
func (h *Handler) principal(ctx context.Context, t model.Tenant, lr *saml.LogoutRequest) (memberID string, transient bool, err error) {
	var m model.Member
	switch lr.App.NameIDFormat {
	case model.NameIDPersistent:
		m, err = h.Members.Get(ctx, t.ID, lr.NameID)
	case model.NameIDTransient:
		return "", true, nil
	default:
		m, err = h.Members.GetByEmail(ctx, t.ID, lr.NameID)
	}
	if errors.Is(err, model.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("find member of logout request: %w", err)
	}
	return m.ID, false, nil
}

func (h *Handler) recordLogout(r *http.Request, t model.Tenant, lr *saml.LogoutRequest, ended int) error {
	return auditlog.Record(r.Context(), h.Audit, model.AuditEvent{TenantID: t.ID, At: h.Now().UTC(), Actor: "samlapp:" + lr.App.ID,
		Action: "saml.logout", Target: "samlapp:" + lr.App.ID, IP: httpx.ClientIP(r, h.TrustedProxies),
		Detail: map[string]string{"entity_id": lr.App.EntityID, "request_id": lr.ID, "sessions_ended": fmt.Sprint(ended)}})
}
