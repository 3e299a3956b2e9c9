package console

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/signinpolicy"
	"github.com/guildgate/guildgate/internal/tenancy"
)

// call is one request by a signed-in administrator.
type call struct {
	tenant model.Tenant
	admin  model.Member
	csrf   string // the form token pages embed
}

// actor is how the audit log names the administrator.
func (c *call) actor() string { return "member:" + c.admin.ID }

// pageFunc is a console page; it runs only for an administrator, and for a
// POST only after the CSRF token was checked.
type pageFunc func(w http.ResponseWriter, r *http.Request, c *call) error

// page wraps fn in the checks every console route shares, in this order:
// cross-origin refusal, a signed-in member (else, for a page, to /login
// and back), the administrator flag (else 403), then for a change the form
// token (else 403 and nothing changes).
func (h *Handler) page(fn pageFunc) http.Handler {
	return h.CSRF.Protect(h.Pages.Handle(func(w http.ResponseWriter, r *http.Request) error {
		c, err := h.authorize(w, r)
		if err != nil || c == nil {
			return err
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if r.MultipartForm == nil && isMultipart(r) {
				if err := r.ParseMultipartForm(1 << 20); err != nil {
					return httpx.BadRequest("The upload could not be read; try again.").WithCause(err)
				}
			}
			if err := h.CSRF.Check(r); err != nil {
				return err
			}
		}
		return asPageError(fn(w, r, c))
	}))
}

// authorize returns the administrator, or nil after redirecting an
// anonymous page view to the login page.
func (h *Handler) authorize(w http.ResponseWriter, r *http.Request) (*call, error) {
	t, err := tenancy.FromRequest(r)
	if err != nil {
		return nil, err
	}
	s, m, err := h.Sessions.Current(r)
	switch {
	case errors.Is(err, session.ErrNoSession) && r.Method == http.MethodGet:
		httpx.SeeOther(w, "/login?return_to="+url.QueryEscape(r.URL.RequestURI()))
		return nil, nil
	case errors.Is(err, session.ErrNoSession):
		return nil, httpx.Forbidden("Sign in as an administrator first.")
	case err != nil:
		return nil, err
	case !m.Admin:
		return nil, httpx.Forbidden("The admin console is for this site's administrators. Ask one of them if you need access.")
	}
	if page, err := h.factors(r, t, s, m); page != "" || err != nil {
		if err == nil && r.Method == http.MethodGet {
			httpx.SeeOther(w, page+"?return_to="+url.QueryEscape(r.URL.RequestURI()))
		} else if err == nil {
			err = httpx.Forbidden("This site asks administrators for a second factor. Reload the page to give it.")
		}
		return nil, err
	}
	return &call{tenant: t, admin: m, csrf: h.CSRF.Token(w, r)}, nil
}

func isMultipart(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	return len(ct) >= 19 && ct[:19] == "multipart/form-data"
}

// factors applies the sign-in policy (package signinpolicy): with the
// tenant's --mfa admins or required, an administrator whose session lacks
// the second factor is sent to give it, or to set one up, first. page is
// "" when the session is good enough.
func (h *Handler) factors(r *http.Request, t model.Tenant, s model.Session, m model.Member) (string, error) {
	if h.Policy == nil {
		return "", nil
	}
	d, err := h.Policy.Decide(r.Context(), t, m, s, signinpolicy.Need{})
	if err != nil {
		return "", err
	}
	return d.Page(), nil
}
