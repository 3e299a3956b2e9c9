package login

import (
	"context"
	"net/http"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/ui"
)

// DomainRouter sends members whose email domain belongs to an organisation
// with its own identity provider there instead of to the password form.
// Package federation implements it; app wires it in (and checks that it
// does), so login knows nothing of connections.
type DomainRouter interface {
	// Route returns where to start signing in email with its domain's
	// connection; ok is false when no connection serves the domain.
	Route(ctx context.Context, t model.Tenant, email, returnTo string) (r SSORoute, ok bool, err error)
	// Buttons are the "Sign in with …" links the email step shows.
	Buttons(ctx context.Context, t model.Tenant, returnTo string) ([]ui.SSOButton, error)
}

// SSORoute names a connection and the local URL that starts its sign-in:
// the same pair as a button, so that package federation can answer without
// importing this one (surfaces never import each other).
type SSORoute = ui.SSOButton

// route answers the email step for a domain served by a connection. It
// renders a page that moves on by itself rather than redirecting: see
// ui.SSORedirect for why a redirect would be blocked.
func (h *Handler) route(w http.ResponseWriter, r *http.Request, t model.Tenant, f form) (bool, error) {
	if h.Router == nil {
		return false, nil
	}
	to, ok, err := h.Router.Route(r.Context(), t, f.Email, f.ReturnTo)
	if err != nil || !ok {
		return false, httpxInternal(err)
	}
	return true, h.UI.Render(w, http.StatusOK, ui.PageSSORedirect, ui.SSORedirect{
		Page: ui.PageFor(r, t), Name: to.Name, URL: to.URL,
	})
}

// buttons is the email step's connection buttons; a failure to list them
// is logged and shows none, so the password form stays usable.
func (h *Handler) buttons(r *http.Request, t model.Tenant, returnTo string) []ui.SSOButton {
	if h.Router == nil {
		return nil
	}
	bs, err := h.Router.Buttons(r.Context(), t, returnTo)
	if err != nil {
		h.warn(r.Context(), "list sign-in buttons", err)
	}
	return bs
}

func httpxInternal(err error) error {
	if err == nil {
		return nil
	}
	return httpx.Internal(err)
}
