// Package legacysso serves GET /sso/auth, the JWT redirect that association
// partners integrated with before OpenID Connect: the member's browser is
// sent back to the partner with an HS256 JWT, signed with the client's
// secret, in the query string. It exists apart from internal/oidc because it
// is a different contract (PRODUCT.md, "Legacy JWT SSO") that shares only
// the lower layers: the same clients, the same browser session (so one
// sign-in serves OIDC and legacy partners alike), the same redirect-URI
// rules and the same user claims.
package legacysso

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/signinpolicy"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/tenancy"
	"github.com/guildgate/guildgate/internal/tokens"
)

// Path is the endpoint, relative to the tenant's issuer.
const Path = "/sso/auth"

// Clients is what the handler asks about SSO clients.
type Clients interface {
	Lookup(ctx context.Context, tenantID, clientID string) (model.Client, error)
	Permitted(ctx context.Context, c model.Client, memberID string) (bool, error)
	SigningSecret(ctx context.Context, c model.Client) ([]byte, error)
}

// Sessions finds the browser's signed-in member.
type Sessions interface {
	Current(r *http.Request) (model.Session, model.Member, error)
}

// Minter signs the legacy JWT.
type Minter interface {
	LegacyJWT(tenant model.Tenant, client model.Client, secret []byte, claims map[string]any) (string, error)
}

var (
	_ Clients  = (*clients.Service)(nil)
	_ Sessions = (*session.Manager)(nil)
	_ Minter   = (*tokens.Issuer)(nil)
)

// Handler serves /sso/auth. Every field is required unless noted.
type Handler struct {
	Clients  Clients
	Sessions Sessions
	Tokens   Minter
	Groups   store.Groups // the member's groups, for the groups claim
	Audit    store.Audit
	Pages    *httpx.ErrorWriter // the HTML 400, 403 and 500 pages
	Now      func() time.Time
	// TrustedProxies lets the audit log record the member's address behind a
	// proxy (optional).
	TrustedProxies []netip.Prefix
	// Policy is the sign-in policy (second factors); nil asks nothing
	// beyond a session.
	Policy *signinpolicy.Checker
}

// Mount registers the endpoint. It is a plain GET that changes nothing but
// the audit log, so it needs no CSRF token: a partner's page links to it.
func (h *Handler) Mount(mux *http.ServeMux) {
	mux.Handle("GET "+Path, h.Pages.Handle(h.serve))
}

// serve answers one request. Until the client and redirect URI check out,
// every failure is a page here, never a redirect: an unchecked redirect_uri
// would hand the token, or at least the member, to whoever asked.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store") // the redirect carries a token
	t, err := tenancy.FromRequest(r)
	if err != nil {
		return err
	}
	req, err := h.parse(r.Context(), t, r.URL.RawQuery)
	if err != nil {
		return err
	}
	s, m, err := h.Sessions.Current(r)
	switch {
	case errors.Is(err, session.ErrNoSession):
		return toLogin(w, req, loginPath)
	case err != nil:
		return httpx.Internal(fmt.Errorf("current session: %w", err))
	}
	if page, err := h.factors(r, t, req.client, s, m); page != "" || err != nil {
		if err != nil {
			return err
		}
		return toLogin(w, req, page)
	}
	if err := h.permit(r.Context(), req.client, m); err != nil {
		return err
	}
	return h.redirect(w, r, t, req, m)
}

// permit applies the client's permitted groups; the member can do nothing
// about a refusal but ask, so the page says whom.
func (h *Handler) permit(ctx context.Context, c model.Client, m model.Member) error {
	ok, err := h.Clients.Permitted(ctx, c, m.ID)
	if err != nil {
		return httpx.Internal(fmt.Errorf("permitted groups of client %s: %w", c.ID, err))
	}
	if ok {
		return nil
	}
	return httpx.ForbiddenMsg(i18n.M("sso.not_permitted", c.Name)).
		WithCause(fmt.Errorf("member %s is in none of the permitted groups of client %s", m.ID, c.ID))
}

// factors applies the sign-in policy (package signinpolicy, as for OIDC
// and SAML): page is where the member must go first (the code step, or
// setting up an authenticator), "" when the session is good enough. A
// requirement that cannot be met is a 403 page: legacy SSO has no way to
// tell the partner.
func (h *Handler) factors(r *http.Request, t model.Tenant, c model.Client, s model.Session, m model.Member) (string, error) {
	if h.Policy == nil {
		return "", nil
	}
	d, err := h.Policy.Decide(r.Context(), t, m, s, signinpolicy.Need{ClientID: c.ID})
	if err != nil {
		return "", httpx.Internal(fmt.Errorf("sign-in policy: %w", err))
	}
	if d.Verdict == signinpolicy.Unmet {
		return "", httpx.Forbidden("Signing in to " + strconv.Quote(c.Name) + " needs a second factor that your sign-in cannot provide. " +
			"Ask your association's administrator.")
	}
	return d.Page(), nil
}
