// Package samlidp serves the SAML 2.0 identity provider's endpoints:
// /saml/metadata, /saml/sso (HTTP-Redirect and HTTP-POST), /saml/slo and
// /saml/launch/<app id>. Package saml decides what a message means and
// signs the answers; this package joins that to the same tenants, browser
// sessions, sign-in page, permitted groups and audit log as the OpenID
// Provider, so one sign-in serves every kind of app.
//
// Until a request is proven to come from a registered app and to name one
// of its registered ACS URLs, every failure is the HTML 400 page, never a
// POST: an unchecked ACS URL would hand the member's assertion to whoever
// asked. Nothing is stored for a refused request.
package samlidp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"time"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/keys"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/saml"
	"github.com/guildgate/guildgate/internal/samlapps"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/signinpolicy"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/tenancy"
	"github.com/guildgate/guildgate/internal/throttle"
)

// Apps is what the handler asks about SAML apps.
type Apps interface {
	ByEntityID(ctx context.Context, tenantID, entityID string) (model.SAMLApp, error)
	Get(ctx context.Context, tenantID, id string) (samlapps.View, error)
	Permitted(ctx context.Context, a model.SAMLApp, memberID string) (bool, error)
}

// Signing gives the tenant's SAML key and published certificates.
type Signing interface {
	SAML(ctx context.Context, tenantID string) (keys.SAMLKeys, error)
}

// Sessions finds and ends the browser's session.
type Sessions interface {
	Current(r *http.Request) (model.Session, model.Member, error)
	End(w http.ResponseWriter, r *http.Request) error
}

var (
	_ Apps     = (*samlapps.Service)(nil)
	_ Signing  = (*keys.Manager)(nil)
	_ Sessions = (*session.Manager)(nil)
)

// Handler serves the endpoints. Every field is required unless noted.
type Handler struct {
	Apps     Apps
	Keys     Signing
	Requests store.SAMLRequests // AuthnRequests waiting for a sign-in
	// Seen remembers the ids of accepted messages, so none is accepted
	// twice on any replica.
	Seen     store.AuthResumes
	Sessions Sessions
	// SessionStore ends sessions a LogoutRequest names by SessionIndex;
	// Members finds the member its NameID names.
	SessionStore store.Sessions
	Members      store.Members
	Groups       store.Groups // the member's groups, for the groups attribute
	Audit        store.Audit
	// Throttle limits AuthnRequests per client address (its SSOStart rate).
	Throttle *throttle.Limiter
	Pages    *httpx.ErrorWriter // the HTML 400, 404 and 500 pages
	Now      func() time.Time
	// TrustedProxies lets the audit log record the member's address behind
	// a proxy (optional).
	TrustedProxies []netip.Prefix
	// Policy is the sign-in policy (second factors); nil asks nothing
	// beyond a session.
	Policy *signinpolicy.Checker
}

// Mount registers the endpoints. /saml/sso and /saml/slo receive the
// HTTP-POST binding as cross-site POSTs from the apps' pages, so they carry
// no CSRF token (the route is simply not wrapped by CSRF.Protect): a
// request's authenticity is its signature and its registered ACS URL, as
// the SAML bindings define it.
func (h *Handler) Mount(mux *http.ServeMux) {
	mux.Handle("GET "+saml.PathMetadata, h.Pages.Handle(h.metadata))
	sso := h.Pages.Handle(h.sso)
	mux.Handle("GET "+saml.PathSSO, sso)
	mux.Handle("POST "+saml.PathSSO, sso)
	mux.Handle("GET "+pathContinue, h.Pages.Handle(h.resume))
	slo := h.Pages.Handle(h.slo)
	mux.Handle("GET "+saml.PathSLO, slo)
	mux.Handle("POST "+saml.PathSLO, slo)
	mux.Handle("GET "+saml.PathLaunch+"{id}", h.Pages.Handle(h.launch))
}

// idp is the tenant's identity provider for one request.
func (h *Handler) idp(ctx context.Context, t model.Tenant) (*saml.IdP, error) {
	k, err := h.Keys.SAML(ctx, t.ID)
	if err != nil {
		return nil, httpx.Internal(fmt.Errorf("saml keys of tenant %s: %w", t.ID, err))
	}
	return &saml.IdP{
		Issuer: t.Issuer, Keys: saml.Keys{Signer: k.Signer, Certificate: k.Certificate, Others: k.Others},
		Apps: tenantApps{h.Apps, t.ID}, Replay: tenantReplay{h.Seen, t.ID}, Now: h.Now,
	}, nil
}

// begin opens an SSO or SLO request (openRequest) with the tenant's
// identity provider.
func (h *Handler) begin(w http.ResponseWriter, r *http.Request) (model.Tenant, *saml.IdP, error) {
	t, err := openRequest(w, r)
	if err != nil {
		return t, nil, err
	}
	idp, err := h.idp(r.Context(), t)
	return t, idp, err
}

// openRequest returns the tenant of a request whose answer no cache may
// keep: it carries a signed message, or leads to one.
func openRequest(w http.ResponseWriter, r *http.Request) (model.Tenant, error) {
	t, err := tenancy.FromRequest(r)
	if err != nil {
		return t, err
	}
	w.Header().Set("Cache-Control", "no-store")
	return t, nil
}

// metadata serves the IdP metadata. Service providers fetch it from their
// servers; it is public.
func (h *Handler) metadata(w http.ResponseWriter, r *http.Request) error {
	t, err := tenancy.FromRequest(r)
	if err != nil {
		return err
	}
	idp, err := h.idp(r.Context(), t)
	if err != nil {
		return err
	}
	body, err := idp.Metadata()
	if err != nil {
		return httpx.Internal(err)
	}
	w.Header().Set("Content-Type", "application/samlmetadata+xml")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, err = w.Write(body)
	return err
}

// refusal turns package saml's refusal into the 400 page with its words;
// anything else is a failure of ours.
func refusal(err error) error {
	if e, ok := errors.AsType[*saml.Error](err); ok {
		return httpx.BadRequest(e.Message).WithCause(err)
	}
	if _, ok := errors.AsType[*httpx.Error](err); ok {
		return err
	}
	return httpx.Internal(err)
}

// tenantApps and tenantReplay bind the tenant to what package saml asks.
type tenantApps struct {
	apps     Apps
	tenantID string
}

func (a tenantApps) ByEntityID(ctx context.Context, entityID string) (model.SAMLApp, error) {
	return a.apps.ByEntityID(ctx, a.tenantID, entityID)
}

// tenantReplay keeps SAML message ids in the store's one single-use-id
// record, apart from the authorization markers by their prefix.
type tenantReplay struct {
	seen     store.AuthResumes
	tenantID string
}

func (r tenantReplay) Remember(ctx context.Context, key string, until time.Time) (bool, error) {
	return r.seen.Use(ctx, r.tenantID, "saml:"+key, until)
}
