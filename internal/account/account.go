// Package account serves the pages a one-time link opens, for people who
// cannot sign in yet: /admin/setup/{token} creates a site's first
// administrator (the link serve prints), /account/reset/{token} lets a
// member choose a new password (the link an administrator passes on). The
// link is the only credential, so these pages need no session; the rules
// about links live in package onetime, and these handlers only turn forms
// into its calls and its refusals into pages. Every form is CSRF-protected
// like the sign-in page's.
package account

import (
	"errors"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/onetime"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/tenancy"
	"github.com/guildgate/guildgate/internal/ui"
)

// Handler serves the link pages. Every field is required.
type Handler struct {
	Links    *onetime.Service
	Sessions *session.Manager // the first administrator is signed in at once
	UI       *ui.UI
	Errors   *httpx.ErrorWriter // the HTML error page writer
	CSRF     *httpx.CSRF
}

// Mount registers the routes. The setup page's pattern is more specific
// than the console's /admin/ catch-all, so it is reached without a session.
func (h *Handler) Mount(mux *http.ServeMux) {
	mux.Handle("GET "+onetime.SetupPath+"{token}", h.page(h.getSetup))
	mux.Handle("POST "+onetime.SetupPath+"{token}", h.page(h.postSetup))
	mux.Handle("GET "+onetime.ResetPath+"{token}", h.page(h.getReset))
	mux.Handle("POST "+onetime.ResetPath+"{token}", h.page(h.postReset))
}

func (h *Handler) page(fn httpx.HandlerFunc) http.Handler {
	return h.CSRF.Protect(h.Errors.Handle(fn))
}

// tenantOf returns the request's tenant; its absence is a wiring bug.
func tenantOf(r *http.Request) (model.Tenant, error) {
	t, ok := tenancy.FromContext(r.Context())
	if !ok {
		return model.Tenant{}, httpx.Internal(errors.New("account: request has no tenant"))
	}
	return t, nil
}

const msgMismatch = "The two passwords differ; type the same one twice."

// refusal shows why a link cannot be used, in the service's words; any
// other failure stays a fault whose cause only the log sees.
func refusal(err error) error {
	if errors.Is(err, onetime.ErrAdminExists) {
		return httpx.Forbidden("This site already has an administrator, so this setup link no longer works. " +
			"Sign in, or ask an administrator to give you access.").WithCause(err)
	}
	if nf, ok := errors.AsType[*problem.NotFound](err); ok {
		return httpx.NotFound(sentence("", nf.Error())).WithCause(err)
	}
	return err
}

// formErrors maps a service's input problems to the form's fields, each
// as a sentence; false when err is not about the input.
func formErrors(err error) (map[string]string, bool) {
	if c, ok := errors.AsType[*problem.Conflict](err); ok {
		return map[string]string{"": sentence("", c.Error())}, true
	}
	inv, ok := errors.AsType[*problem.Invalid](err)
	if !ok {
		return nil, false
	}
	out := map[string]string{}
	for _, p := range inv.Problems {
		field := p.Field
		if _, shown := labels[field]; !shown {
			field = ""
		}
		out[field] = strings.TrimSpace(out[field] + " " + sentence(p.Field, p.Message))
	}
	return out, true
}

// labels name the fields the forms show, for messages such as "is required".
var labels = map[string]string{"email": "Email address", "name": "Your name", "password": "Password"}

func sentence(field, msg string) string {
	if strings.HasPrefix(msg, "is ") || strings.HasPrefix(msg, "must ") {
		if label := labels[field]; label != "" {
			msg = label + " " + msg
		}
	}
	r, n := utf8.DecodeRuneInString(msg)
	msg = string(unicode.ToUpper(r)) + msg[n:]
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

func seeOther(w http.ResponseWriter, target string) {
	w.Header().Set("Location", target)
	w.WriteHeader(http.StatusSeeOther)
}
