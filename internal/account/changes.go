package account

import (
	"errors"
	"net/http"

	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/notices"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/ui"
)

// memberForm runs one of the member page's forms: CSRF first, then the
// signed-in member, then act, which returns what was done (for the page's
// status line) or renders the page itself with a problem (done "").
func (h *Handler) memberForm(act func(w http.ResponseWriter, r *http.Request, who me) (string, error)) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := h.CSRF.Check(r); err != nil {
			return err
		}
		who, ok, err := h.signedIn(w, r)
		if err != nil || !ok {
			return err
		}
		done, err := act(w, r, who)
		if err != nil || done == "" {
			return err
		}
		httpx.SeeOther(w, HomePath+"?done="+done)
		return nil
	}
}

func actor(who me) string { return "member:" + who.member.ID }

func (h *Handler) postProfile(w http.ResponseWriter, r *http.Request, who me) (string, error) {
	f := r.PostForm
	p := ui.Profile{Name: f.Get("name"), GivenName: f.Get("given_name"), FamilyName: f.Get("family_name")}
	_, err := h.Account.UpdateMember(r.Context(), actor(who), who.tenant.ID, who.member.ID,
		directory.MemberPatch{Name: &p.Name, GivenName: &p.GivenName, FamilyName: &p.FamilyName})
	if errs, bad := formErrors(err); bad {
		return "", h.renderHome(w, r, who, http.StatusUnprocessableEntity, ui.Home{Profile: p, ProfileErrors: errs})
	}
	return "profile", err
}

// postLanguage remembers the member's language: their pages' (after an
// application's ui_locales), their mail's, and their locale claim. Empty
// forgets it, so their browser's language applies again.
func (h *Handler) postLanguage(w http.ResponseWriter, r *http.Request, who me) (string, error) {
	lang := r.PostForm.Get("language")
	if lang != "" && !i18n.Supported(lang) {
		return "", httpx.BadRequestMsg(i18n.M("home.language.unknown"))
	}
	if lang == who.member.Language {
		return "language", nil
	}
	_, err := h.Account.UpdateMember(r.Context(), actor(who), who.tenant.ID, who.member.ID, directory.MemberPatch{Language: &lang})
	return "language", err
}

// postPassword changes the password, which ends every session (this one
// too) and revokes every token; this browser is then signed in afresh, and
// the member is mailed a notice.
func (h *Handler) postPassword(w http.ResponseWriter, r *http.Request, who me) (string, error) {
	f := r.PostForm
	problems := map[string]i18n.Message{}
	if f.Get("password") != f.Get("password2") {
		problems["password2"] = msgMismatch
	} else {
		err := h.Account.ChangePassword(r.Context(), actor(who), who.tenant.ID, who.member.ID, f.Get("current_password"), f.Get("password"))
		if errors.Is(err, directory.ErrWrongPassword) {
			problems["current_password"] = i18n.M("home.password.wrong")
		} else if errs, bad := formErrors(err); bad {
			problems = errs
		} else if err != nil {
			return "", err
		}
	}
	if len(problems) > 0 {
		return "", h.renderHome(w, r, who, http.StatusUnprocessableEntity, ui.Home{PasswordErrors: problems})
	}
	if _, err := h.Sessions.Start(w, r, who.tenant, who.member, []string{"pwd"}); err != nil {
		return "", httpx.Internal(err)
	}
	if err := h.Notices.Notify(r.Context(), who.tenant, who.member, notices.PasswordChanged); err != nil {
		return "", httpx.Internal(err)
	}
	return "password", nil
}

func (h *Handler) postSignOut(w http.ResponseWriter, r *http.Request, who me) (string, error) {
	id := r.PostForm.Get("session")
	if id == who.session.ID {
		return "", httpx.BadRequestMsg(i18n.M("home.sessions.this_one"))
	}
	return "session", gone(h.Account.EndSession(r.Context(), actor(who), who.tenant.ID, who.member.ID, id))
}

func (h *Handler) postSignOutOthers(w http.ResponseWriter, r *http.Request, who me) (string, error) {
	sessions, err := h.Account.MemberSessions(r.Context(), who.tenant.ID, who.member.ID)
	if err != nil {
		return "", err
	}
	for _, s := range sessions {
		if s.ID != who.session.ID {
			if err := gone(h.Account.EndSession(r.Context(), actor(who), who.tenant.ID, who.member.ID, s.ID)); err != nil {
				return "", err
			}
		}
	}
	return "sessions", nil
}

func (h *Handler) postRevokeApp(w http.ResponseWriter, r *http.Request, who me) (string, error) {
	return "app", gone(h.Account.RevokeApp(r.Context(), actor(who), who.tenant.ID, who.member.ID, r.PostForm.Get("grant")))
}

// gone treats what is already signed out or revoked as done: two tabs
// racing, or a double click, are not errors.
func gone(err error) error {
	if _, ok := errors.AsType[*problem.NotFound](err); ok {
		return nil
	}
	return err
}
