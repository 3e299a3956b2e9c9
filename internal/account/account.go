// Package account serves the member's own page (/account/) and the pages
// a one-time link opens, for people who may not be signed in:
// /admin/setup/{token} creates a site's first administrator (the link
// serve prints), /account/reset/{token} lets a member choose a new
// password (the link an administrator passes on, or the one
// /account/forgot mails), /account/invite/{token} accepts an invitation,
// /account/verify/{token} confirms an address. The
// link is the only credential, so these pages need no session; the rules
// about links live in package onetime, and these handlers only turn forms
// into its calls and its refusals into pages. Every form is CSRF-protected
// like the sign-in page's.
package account

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/notices"
	"github.com/guildgate/guildgate/internal/onetime"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/ui"
)

// Handler serves the link pages. Every field is required.
type Handler struct {
	Links    *onetime.Service
	Sessions *session.Manager // the first administrator is signed in at once
	// Account is the directory, for what a member changes on their page.
	Account *directory.Service
	// Notices mails the member when their password changes (here or
	// through a reset link).
	Notices *notices.Notifier
	UI      *ui.UI
	Errors  *httpx.ErrorWriter // the HTML error page writer
	CSRF    *httpx.CSRF
	// TrustedProxies are believed about the client's address, which the
	// forgot-password limits count by.
	TrustedProxies []netip.Prefix
	// ForgotFloor is the least time a forgot-password answer takes; 0
	// means DefaultForgotFloor.
	ForgotFloor time.Duration
}

// Mount registers the routes. The setup page's pattern is more specific
// than the console's /admin/ catch-all, so it is reached without a session.
func (h *Handler) Mount(mux *http.ServeMux) {
	mux.Handle("GET "+onetime.SetupPath+"{token}", h.page(h.setupLink().get))
	mux.Handle("POST "+onetime.SetupPath+"{token}", h.page(h.setupLink().post))
	mux.Handle("GET "+onetime.ResetPath+"{token}", h.page(h.resetLink().get))
	mux.Handle("POST "+onetime.ResetPath+"{token}", h.page(h.resetLink().post))
	mux.Handle("GET "+onetime.InvitePath+"{token}", h.page(h.inviteLink().get))
	mux.Handle("POST "+onetime.InvitePath+"{token}", h.page(h.inviteLink().post))
	mux.Handle("GET "+onetime.VerifyPath+"{token}", h.page(h.getVerify))
	mux.Handle("POST "+onetime.VerifyPath+"{token}", h.page(h.postVerify))
	mux.Handle("GET "+HomePath+"{$}", h.page(h.getHome))
	mux.Handle("POST "+EmailPath, h.page(h.memberForm(h.postEmail)))
	mux.Handle("POST "+SendVerifyPath, h.page(h.memberForm(h.postSendVerification)))
	mux.Handle("POST "+ProfilePath, h.page(h.memberForm(h.postProfile)))
	mux.Handle("POST "+LanguagePath, h.page(h.memberForm(h.postLanguage)))
	mux.Handle("POST "+PasswordPath, h.page(h.memberForm(h.postPassword)))
	mux.Handle("POST "+SignOutPath, h.page(h.memberForm(h.postSignOut)))
	mux.Handle("POST "+SignOutOthersPath, h.page(h.memberForm(h.postSignOutOthers)))
	mux.Handle("POST "+RevokeAppPath, h.page(h.memberForm(h.postRevokeApp)))
	mux.Handle("GET "+ForgotPath, h.page(h.getForgot))
	mux.Handle("POST "+ForgotPath, h.page(h.postForgot))
}

func (h *Handler) page(fn httpx.HandlerFunc) http.Handler {
	return h.CSRF.Protect(h.Errors.Handle(fn))
}

var msgMismatch = i18n.M("form.password_mismatch")

// refusal shows why a link cannot be used, in the service's words; any
// other failure stays a fault whose cause only the log sees.
func refusal(err error, kind string) error {
	if errors.Is(err, onetime.ErrAdminExists) {
		return httpx.ForbiddenMsg(i18n.M("admin_setup.admin_exists")).WithCause(err)
	}
	if nf, ok := errors.AsType[*problem.NotFound](err); ok {
		return httpx.NotFoundMsg(i18n.LinkProblem(nf.Error(), kind)).WithCause(err)
	}
	return err
}

// formErrors maps a service's input problems to the form's fields; false
// when err is not about the input.
func formErrors(err error) (map[string]i18n.Message, bool) {
	if c, ok := errors.AsType[*problem.Conflict](err); ok {
		return map[string]i18n.Message{"": i18n.Raw(sentence(c.Error()))}, true
	}
	inv, ok := errors.AsType[*problem.Invalid](err)
	if !ok {
		return nil, false
	}
	out := map[string]i18n.Message{}
	for _, p := range inv.Problems {
		field := p.Field
		if _, shown := labels[field]; !shown {
			field = ""
		}
		if prev, taken := out[field]; taken {
			out[field] = i18n.M("form.join", prev, fieldMessage(p))
		} else {
			out[field] = fieldMessage(p)
		}
	}
	return out, true
}

// labels name the fields the forms show, for messages such as "is required".
var labels = map[string]i18n.Message{
	"email": i18n.M("admin_setup.email"), "name": i18n.M("admin_setup.name"), "password": i18n.M("admin_setup.password"),
	"given_name": i18n.M("home.profile.given_name"), "family_name": i18n.M("home.profile.family_name"),
}

// fieldMessage says what is wrong with a field in the catalogue's words.
// The services (directory, password) describe problems in English for
// the CLI and the API; their few kinds are recognised here, and anything
// else is shown as the service put it.
func fieldMessage(p problem.Problem) i18n.Message {
	label, msg := labels[p.Field], p.Message
	var n int
	switch {
	case p.Field == "password" && scan(msg, "password must be at least %d characters", &n):
		return i18n.M("form.password_short", n)
	case p.Field == "password" && scan(msg, "password must be at most %d bytes", &n):
		return i18n.M("form.password_long", n)
	case p.Field == "email" && msg != "is required" && !strings.HasPrefix(msg, "must be at most"):
		return i18n.M("form.email_invalid")
	case label.Key == "":
	case msg == "is required":
		return i18n.M("form.required", label)
	case scan(msg, "must be at most %d characters", &n):
		return i18n.M("form.too_long", label, n)
	case strings.Contains(msg, "control characters"):
		return i18n.M("form.control_chars", label)
	}
	return i18n.Raw(sentence(msg))
}

// scan reports whether msg is exactly format with one number, stored in n.
func scan(msg, format string, n *int) bool {
	_, err := fmt.Sscanf(msg, format, n)
	return err == nil && fmt.Sprintf(format, *n) == msg
}

func sentence(msg string) string {
	r, n := utf8.DecodeRuneInString(msg)
	msg = string(unicode.ToUpper(r)) + msg[n:]
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}
