package federation

import (
	"context"
	"errors"
	"fmt"
	"github.com/guildgate/guildgate/internal/tenancy"
	"net/http"
	"net/netip"
	"strings"

	"github.com/guildgate/guildgate/internal/connections"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/ui"
	upoidc "github.com/guildgate/guildgate/internal/upstream/oidc"
)

// CheckFunc tests a connection against its provider (upstream/oidc.Check
// with the app's HTTP client); a setup link saves only when it passes.
type CheckFunc func(ctx context.Context, c model.Connection, secret, redirectURI string) []upoidc.Finding

// Setup serves the page a setup link opens. It is separate from Handler
// because it is a form (CSRF-protected POST) where the rest are redirects.
type Setup struct {
	Connections *connections.Service
	Check       CheckFunc
	UI          *ui.UI
	Pages       *httpx.ErrorWriter
	CSRF        *httpx.CSRF
	// TrustedProxies name the proxies whose X-Forwarded-For is believed,
	// for the audit log's record of where the details came from.
	TrustedProxies []netip.Prefix
}

// errTestFailed carries the findings of a failed connection test out of
// the service's Tester.
type errTestFailed struct{ findings []upoidc.Finding }

func (e *errTestFailed) Error() string { return "the connection test found problems" }

// Mount registers GET and POST of the setup page.
func (s *Setup) Mount(mux *http.ServeMux) {
	mux.Handle("GET "+connections.SetupPath+"{token}", s.CSRF.Protect(s.Pages.Handle(s.get)))
	mux.Handle("POST "+connections.SetupPath+"{token}", s.CSRF.Protect(s.Pages.Handle(s.post)))
}

func (s *Setup) get(w http.ResponseWriter, r *http.Request) error {
	t, err := tenancy.FromRequest(r)
	if err != nil {
		return err
	}
	_, c, err := s.Connections.OpenSetupLink(r.Context(), t.ID, r.PathValue("token"))
	if err != nil {
		return linkPageError(err)
	}
	return s.render(w, r, t, c, http.StatusOK, ui.SSOSetupForm{AuthMethod: c.AuthMethod}, nil, nil)
}

func (s *Setup) post(w http.ResponseWriter, r *http.Request) error {
	if err := s.CSRF.Check(r); err != nil {
		return err
	}
	t, err := tenancy.FromRequest(r)
	if err != nil {
		return err
	}
	token := r.PathValue("token")
	_, c, err := s.Connections.OpenSetupLink(r.Context(), t.ID, token)
	if err != nil {
		return linkPageError(err)
	}
	f := formOf(r)
	in := connections.SetupInput{DiscoveryURL: f.DiscoveryURL, Issuer: f.Issuer, AuthorizationURL: f.AuthorizationURL,
		TokenURL: f.TokenURL, JWKSURL: f.JWKSURL, UserinfoURL: f.UserinfoURL, ClientID: f.ClientID,
		ClientSecret: r.PostForm.Get("client_secret"), AuthMethod: f.AuthMethod, Contact: f.Contact}
	if n := len([]rune(f.Contact)); n == 0 || n > 200 {
		return s.render(w, r, t, c, http.StatusUnprocessableEntity, f, []string{"contact: give your name and email (at most 200 characters)"}, nil)
	}
	var findings []upoidc.Finding
	test := func(ctx context.Context, cand model.Connection, secret string) error {
		findings = s.Check(ctx, cand, secret, connections.CallbackURL(t.Issuer))
		for _, fd := range findings {
			if !fd.OK {
				return &errTestFailed{findings: findings}
			}
		}
		return nil
	}
	saved, err := s.Connections.CompleteSetup(r.Context(), t.ID, token, in, test, httpx.ClientIP(r, s.TrustedProxies))
	var inv *problem.Invalid
	var failed *errTestFailed
	switch {
	case errors.As(err, &inv):
		return s.render(w, r, t, c, http.StatusUnprocessableEntity, f, problemTexts(inv), nil)
	case errors.As(err, &failed):
		return s.render(w, r, t, c, http.StatusUnprocessableEntity, f, []string{"the connection test did not pass: fix what it found and try again"}, failed.findings)
	case err != nil:
		return linkPageError(err)
	}
	return s.UI.Render(w, http.StatusOK, ui.PageSSOSetup, ui.SSOSetup{Page: ui.PageFor(r, t),
		Connection: saved.Name, Domains: strings.Join(saved.Domains, ", "), Saved: true})
}

func (s *Setup) render(w http.ResponseWriter, r *http.Request, t model.Tenant, c model.Connection, status int,
	f ui.SSOSetupForm, problems []string, findings []upoidc.Finding) error {
	page := ui.SSOSetup{Page: ui.PageFor(r, t), CSRFToken: s.CSRF.Token(w, r), Connection: c.Name,
		Domains: strings.Join(c.Domains, ", "), CallbackURLs: []string{connections.CallbackURL(t.Issuer)},
		SignedOutURL: t.Issuer + PathSignedOut, Form: f, Problems: problems}
	// The holder has no account: they see each finding's fixed summary,
	// never what the provider (or whatever answered at their URLs) said.
	for _, fd := range findings {
		page.Findings = append(page.Findings, ui.SSOFinding{OK: fd.OK, Check: fd.Check, Message: fd.Summary})
	}
	return s.UI.Render(w, status, ui.PageSSOSetup, page)
}

func formOf(r *http.Request) ui.SSOSetupForm {
	v := func(k string) string { return strings.TrimSpace(r.PostForm.Get(k)) }
	return ui.SSOSetupForm{DiscoveryURL: v("discovery_url"), Issuer: v("issuer"), AuthorizationURL: v("authorization_url"),
		TokenURL: v("token_url"), JWKSURL: v("jwks_url"), UserinfoURL: v("userinfo_url"), ClientID: v("client_id"),
		AuthMethod: v("auth_method"), Contact: v("contact")}
}

func problemTexts(inv *problem.Invalid) []string {
	out := make([]string, len(inv.Problems))
	for i, p := range inv.Problems {
		out[i] = p.String()
	}
	return out
}

// linkPageError shows an unusable link as a 404 that says why (used,
// expired, not valid), and anything else as a fault.
func linkPageError(err error) error {
	if nf, ok := errors.AsType[*problem.NotFound](err); ok && errors.Is(err, connections.ErrLinkUnusable) {
		return httpx.NotFoundMsg(i18n.LinkProblem(nf.Msg, "link.kind.setup")).WithCause(err)
	}
	return httpx.Internal(fmt.Errorf("setup link: %w", err))
}
