package federation

import (
	"context"
	"errors"
	"fmt"
	"github.com/guildgate/guildgate/internal/tenancy"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/connections"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/returnto"
	"github.com/guildgate/guildgate/internal/throttle"
	"github.com/guildgate/guildgate/internal/ui"
	"github.com/guildgate/guildgate/internal/upstream"
)

// maxHint bounds the login_hint passed on (RFC 5321's path limit).
const maxHint = 254

// Route finds the ready connection that serves email's domain (for
// login.DomainRouter).
func (h *Handler) Route(ctx context.Context, t model.Tenant, email, returnTo string) (ui.SSOButton, bool, error) {
	domain := email[strings.LastIndexByte(email, '@')+1:]
	c, err := h.ConnectionRecords.GetByDomain(ctx, t.ID, domain)
	switch {
	case errors.Is(err, model.ErrNotFound):
		return ui.SSOButton{}, false, nil
	case err != nil:
		return ui.SSOButton{}, false, fmt.Errorf("route %s: %w", domain, err)
	case !connections.Ready(c):
		return ui.SSOButton{}, false, nil // a draft awaiting its setup link: passwords still work
	}
	return ui.SSOButton{Name: c.Name, URL: StartURL(c.ID, returnTo, email)}, true, nil
}

// Buttons lists the tenant's ready connections that show a button.
func (h *Handler) Buttons(ctx context.Context, t model.Tenant, returnTo string) ([]ui.SSOButton, error) {
	cs, err := h.ConnectionRecords.List(ctx, t.ID)
	if err != nil {
		return nil, fmt.Errorf("list connections: %w", err)
	}
	var out []ui.SSOButton
	for _, c := range cs {
		if c.ShowButton && connections.Ready(c) {
			out = append(out, ui.SSOButton{Name: c.Name, URL: StartURL(c.ID, returnTo, "")})
		}
	}
	return out, nil
}

// StartURL is where a member begins signing in with connection id.
func StartURL(id, returnTo, hint string) string {
	q := url.Values{"connection": {id}}
	if returnTo != "" && returnTo != returnto.Default {
		q.Set("return_to", returnTo)
	}
	if hint != "" {
		q.Set("login_hint", hint)
	}
	return PathStart + "?" + q.Encode()
}

// start begins a round trip: a single-use state bound to this browser by a
// cookie, a nonce and a PKCE verifier, then off to the provider.
func (h *Handler) start(w http.ResponseWriter, r *http.Request) error {
	t, err := tenancy.FromRequest(r)
	if err != nil {
		return err
	}
	if err := h.throttleStart(r, t); err != nil {
		return err
	}
	q := r.URL.Query()
	if err := oauth.SingleValues(q, "connection", "return_to", "login_hint"); err != nil {
		return startOver("repeated_parameter", err)
	}
	c, err := h.ConnectionRecords.Get(r.Context(), t.ID, q.Get("connection"))
	if errors.Is(err, model.ErrNotFound) || (err == nil && !connections.Ready(c)) {
		return &failure{status: http.StatusNotFound, heading: i18n.M("federation.heading.no_option"), message: msgNoConn,
			reason: "unknown_connection", cause: err}
	} else if err != nil {
		return err
	}
	returnTo := returnto.Safe(q.Get("return_to"))
	k, err := h.connector(r.Context(), c)
	if err != nil {
		return upstreamFailure(err, StartURL(c.ID, returnTo, ""))
	}
	hint := q.Get("login_hint")
	if len(hint) > maxHint {
		hint = ""
	}
	req, err := h.begin(w, r, t, c, model.StateLogin, returnTo)
	if err != nil {
		return err
	}
	req.LoginHint = hint
	httpx.SeeOther(w, k.AuthCodeURL(req))
	return nil
}

// throttleStart spends one of the client address's starts: each stores a
// round trip and may make the server fetch from the provider, and anyone
// may ask, so an address gets a burst and then one every few seconds. A
// refused start writes nothing (no round trip, no audit row, no bucket).
func (h *Handler) throttleStart(r *http.Request, t model.Tenant) error {
	wait, err := h.Throttle.AllowAddress(r.Context(), t.ID, throttle.UseSSOStart, httpx.ClientIP(r, h.TrustedProxies))
	if err != nil || wait == 0 {
		return err
	}
	return tooManyStarts(wait)
}

// begin stores a round trip and sets its browser cookie. The verifier is
// 43 characters of 256 random bits, as RFC 7636 §4.1 asks.
func (h *Handler) begin(w http.ResponseWriter, r *http.Request, t model.Tenant, c model.Connection, purpose, returnTo string) (upstream.AuthRequest, error) {
	req := upstream.AuthRequest{RedirectURI: connections.CallbackURL(t.Issuer), State: ids.NewToken(32),
		Nonce: ids.NewToken(32), CodeVerifier: ids.NewToken(32)}
	browser := ids.NewToken(32)
	now := h.now()
	st := model.UpstreamState{Hash: ids.Hash(req.State), TenantID: t.ID, ConnectionID: c.ID, Purpose: purpose,
		Nonce: req.Nonce, CodeVerifier: req.CodeVerifier, BrowserHash: ids.Hash(browser), ReturnTo: returnTo,
		CreatedAt: now, ExpiresAt: now.Add(RoundTripTTL)}
	if err := h.States.Create(r.Context(), st); err != nil {
		return req, fmt.Errorf("store upstream round trip: %w", err)
	}
	setBrowserCookie(w, req.State, browser)
	return req, nil
}

// The browser cookie binds a round trip to the browser that began it, so
// an attacker cannot finish their own sign-in in a victim's browser (login
// CSRF). One cookie per round trip, named after its state, so sign-ins in
// two tabs do not overwrite each other. SameSite=Lax: the provider's
// redirect back is a top-level GET, which carries it.
const cookiePrefix = "__Host-gg_sso_"

func cookieName(state string) string { return cookiePrefix + ids.Hash(state)[:16] }

func setBrowserCookie(w http.ResponseWriter, state, value string) {
	http.SetCookie(w, &http.Cookie{Name: cookieName(state), Value: value, Path: "/",
		MaxAge: int(RoundTripTTL / time.Second), Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

func clearBrowserCookie(w http.ResponseWriter, state string) {
	http.SetCookie(w, &http.Cookie{Name: cookieName(state), Value: "", Path: "/", MaxAge: -1,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}
