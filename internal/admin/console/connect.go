package console

import (
	"net/http"
	"net/url"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/partners"
)

// connectPage is "How to connect": what a partner needs to set their app up
// against one SSO client, and the tested configurations of internal/partners
// filled with this client's values. The secret is not on it: the page is
// meant to be shown or sent to a partner, the secret separately.
type connectPage struct {
	base
	Client    clients.View
	Issuer    string
	Discovery string
	Scopes    string
	Claims    []string
	RPs       []rpSetup
	// SecretPlaceholder stands for the secret in the configurations.
	SecretPlaceholder string
}

// rpSetup is one relying party's section of the page.
type rpSetup struct {
	partners.RP
	Config        string // rendered with the client's values
	Problem       string // why Config is empty
	RedirectURI   string // the one Config uses
	PostLogoutURI string
	Unregistered  []string // URIs Config uses that the client does not list yet
	NeedsSwitch   bool     // the relying party needs OmitIss, which the client lacks
	IssRefused    bool     // the client has OmitIss, which the relying party refuses
	SignOutURL    string
	GuideURL      string
}

// connectScopes are what the guides request; connectClaims what members'
// tokens carry with them (PRODUCT.md "Claims").
const connectScopes = "openid email profile groups"

var connectClaims = []string{"sub (the member id: stable, the account key)", "email", "email_verified", "name",
	"given_name", "family_name", "groups (names)", "member_status", "legacy_id (when set)"}

// secretPlaceholder stands for the client secret in the configurations.
const secretPlaceholder = "CLIENT-SECRET-FROM-GUILDGATE"

func (h *Handler) connectClient(w http.ResponseWriter, r *http.Request, c *call) error {
	v, err := h.Clients.Get(r.Context(), c.tenant.ID, r.PathValue("id"))
	if err != nil {
		return asPageError(err)
	}
	p := connectPage{base: pageBase(r, c, "clients", "How to connect "+v.Name), Client: v, Issuer: c.tenant.Issuer,
		Discovery: c.tenant.Issuer + "/.well-known/openid-configuration", Scopes: connectScopes, Claims: connectClaims,
		SecretPlaceholder: secretPlaceholder}
	for _, rp := range partners.All() {
		p.RPs = append(p.RPs, setupFor(rp, v, c.tenant.Issuer))
	}
	return h.views.render(w, http.StatusOK, "connect", p)
}

// setupFor renders rp's configuration for client v: the client's own
// redirect and post-logout URLs where it registered the paths the guide
// uses, else those paths on the origin of its first redirect URL, flagged
// as still to be registered.
func setupFor(rp partners.RP, v clients.View, issuer string) rpSetup {
	s := rpSetup{RP: rp, GuideURL: rp.GuideURL(), NeedsSwitch: rp.OmitIss && !v.OmitAuthorizationResponseIss,
		IssRefused: rp.NeedsIss && v.OmitAuthorizationResponseIss}
	origin := originOf(v.RedirectURIs)
	var ok bool
	if s.RedirectURI, ok = withPath(v.RedirectURIs, rp.CallbackPath, origin); !ok {
		s.Unregistered = append(s.Unregistered, s.RedirectURI)
	}
	if s.PostLogoutURI, ok = withPath(v.PostLogoutRedirectURIs, rp.SignedOutPath, origin); !ok {
		s.Unregistered = append(s.Unregistered, s.PostLogoutURI)
	}
	vals := partners.Example(rp)
	vals.Issuer, vals.ClientID, vals.ClientSecret, vals.CAFile = issuer, v.ID, secretPlaceholder, ""
	vals.RedirectURI, vals.PostLogoutRedirectURI = s.RedirectURI, s.PostLogoutURI
	conf, err := rp.Render(vals)
	if err != nil {
		s.Problem = "This client's addresses cannot be written into a configuration file: " + err.Error()
		return s
	}
	s.Config, s.SignOutURL = conf, rp.SignOutURL(vals)
	return s
}

// withPath returns the first URI whose path is path, else path on origin.
func withPath(uris []string, path, origin string) (string, bool) {
	for _, u := range uris {
		if p, err := url.Parse(u); err == nil && p.Path == path {
			return u, true
		}
	}
	return origin + path, false
}

// originOf is the origin of the first redirect URI, or the guides' example
// site for a client without one.
func originOf(uris []string) string {
	for _, u := range uris {
		if p, err := url.Parse(u); err == nil && p.Host != "" {
			return p.Scheme + "://" + p.Host
		}
	}
	return "https://app.example.org"
}
