package account

import (
	"github.com/guildgate/guildgate/internal/tenancy"
	"net/http"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/model"
)

// passwordLink is one of the pages a one-time link opens to choose a
// password: the first administrator's (setup), a reset, an invitation.
// They open the link, refuse it, check the two passwords and show the
// service's input problems alike, so that is written once here; what
// opening and using the link mean, the page (P, its view) and what follows
// are each kind's own.
type passwordLink[P any] struct {
	h    *Handler
	kind string // the link's kind, in refusal messages
	// open checks that the link may still be used and returns its page,
	// filled from the posted form when there is one.
	open func(c linkCall) (P, error)
	// use uses the link with the chosen password.
	use func(c linkCall, password string, p P) (model.Member, error)
	// done answers once the link is used by (or for) m.
	done func(c linkCall, m model.Member, p P) error
	// render shows the page at status, with the form's problems.
	render func(c linkCall, status int, p P, errs map[string]i18n.Message) error
}

// linkCall is one request to a link page.
type linkCall struct {
	w     http.ResponseWriter
	r     *http.Request
	t     model.Tenant
	token string
}

func (l passwordLink[P]) get(w http.ResponseWriter, r *http.Request) error {
	t, err := tenancy.FromRequest(r)
	if err != nil {
		return err
	}
	c := linkCall{w: w, r: r, t: t, token: r.PathValue("token")}
	p, err := l.open(c)
	if err != nil {
		return refusal(err, l.kind)
	}
	return l.render(c, http.StatusOK, p, nil)
}

func (l passwordLink[P]) post(w http.ResponseWriter, r *http.Request) error {
	if err := l.h.CSRF.Check(r); err != nil {
		return err
	}
	t, err := tenancy.FromRequest(r)
	if err != nil {
		return err
	}
	c, f := linkCall{w: w, r: r, t: t, token: r.PathValue("token")}, r.PostForm
	p, err := l.open(c)
	if err != nil {
		return refusal(err, l.kind)
	}
	if f.Get("password") != f.Get("password2") {
		return l.render(c, http.StatusUnprocessableEntity, p, map[string]i18n.Message{"password2": msgMismatch})
	}
	m, err := l.use(c, f.Get("password"), p)
	if errs, bad := formErrors(err); bad {
		return l.render(c, http.StatusUnprocessableEntity, p, errs)
	} else if err != nil {
		return refusal(err, l.kind)
	}
	return l.done(c, m, p)
}

// signIn ends a link that gives a member their first password: they are
// signed in with it and sent to target.
func (h *Handler) signIn(c linkCall, m model.Member, target string) error {
	if _, err := h.Sessions.Start(c.w, c.r, c.t, m, []string{"pwd"}); err != nil {
		return httpx.Internal(err)
	}
	httpx.SeeOther(c.w, target)
	return nil
}
