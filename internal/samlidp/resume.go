package samlidp

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/saml"
)

// pathContinue is where a member comes back from /login to finish an
// SP-initiated sign-in. The request itself is not sent again (a POST
// binding request cannot ride a redirect, and its id is already used up):
// its checked fields wait in the store under a random handle, bound to the
// browser by a cookie, and are consumed once.
const pathContinue = "/saml/sso/continue"

// PendingTTL is how long a member may take to sign in.
const PendingTTL = 30 * time.Minute

// browserCookie binds a pending request to the browser that brought it.
// Host-only, Secure, HttpOnly; Lax, since the return from /login is a
// same-site top-level navigation.
const browserCookie = "__Host-gg_saml"

// pendingLogin is the signIn of an SP-initiated request: it stores the
// checked request and sends the browser to /login and back to it.
func (h *Handler) pendingLogin(w http.ResponseWriter, r *http.Request, t model.Tenant, a saml.AuthnRequest) signIn {
	return func(force bool, page string) error {
		handle, browser := ids.NewToken(32), ids.NewToken(32)
		now := h.Now().UTC()
		p := model.SAMLPending{Hash: ids.Hash(handle), TenantID: t.ID, AppID: a.App.ID, RequestID: a.ID, ACSURL: a.ACSURL,
			RelayState: a.RelayState, ForceAuthn: a.ForceAuthn, BrowserHash: ids.Hash(browser),
			CreatedAt: now, ExpiresAt: now.Add(PendingTTL)}
		if err := h.Requests.CreatePending(r.Context(), p); err != nil {
			return httpx.Internal(fmt.Errorf("store pending saml request: %w", err))
		}
		http.SetCookie(w, &http.Cookie{Name: browserCookie, Value: browser, Path: "/", MaxAge: int(PendingTTL / time.Second),
			Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
		return toLogin(w, pathContinue+"?"+url.Values{"h": {handle}}.Encode(), force, page)
	}
}

// resume finishes a pending request once the member has signed in.
func (h *Handler) resume(w http.ResponseWriter, r *http.Request) error {
	t, err := openRequest(w, r)
	if err != nil {
		return err
	}
	p, err := h.consume(r, t)
	if err != nil {
		return err
	}
	v, err := h.Apps.Get(r.Context(), t.ID, p.AppID)
	if _, missing := errors.AsType[*problem.NotFound](err); missing {
		return gone().WithCause(err)
	} else if err != nil {
		return httpx.Internal(err)
	}
	idp, err := h.idp(r.Context(), t)
	if err != nil {
		return err
	}
	a := saml.AuthnRequest{App: v.SAMLApp, ID: p.RequestID, ACSURL: p.ACSURL, RelayState: p.RelayState, ForceAuthn: p.ForceAuthn}
	return h.answerSince(w, r, t, idp, a, h.pendingLogin(w, r, t, a), p.CreatedAt)
}

// consume redeems the handle: once, in time, in the browser that brought
// the request.
func (h *Handler) consume(r *http.Request, t model.Tenant) (model.SAMLPending, error) {
	handle := r.URL.Query().Get("h")
	ck, cerr := r.Cookie(browserCookie)
	if handle == "" || cerr != nil {
		return model.SAMLPending{}, gone()
	}
	p, first, err := h.Requests.ConsumePending(r.Context(), t.ID, ids.Hash(handle), h.Now().UTC())
	switch {
	case errors.Is(err, model.ErrNotFound):
		return model.SAMLPending{}, gone().WithCause(err)
	case err != nil:
		return model.SAMLPending{}, httpx.Internal(err)
	case !first, !h.Now().Before(p.ExpiresAt), ids.Hash(ck.Value) != p.BrowserHash:
		return model.SAMLPending{}, gone().WithCause(fmt.Errorf("pending request used %v, expired, or other browser", !first))
	}
	return p, nil
}

func gone() *httpx.Error {
	return httpx.BadRequestMsg(i18n.M("saml.expired"))
}
