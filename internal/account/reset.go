package account

import (
	"net/http"
	"net/url"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/notices"
	"github.com/guildgate/guildgate/internal/onetime"
	"github.com/guildgate/guildgate/internal/ui"
)

// resetLink sets the new password, which signs the member out everywhere,
// and then sends them to sign in with it.
func (h *Handler) resetLink() passwordLink[ui.PasswordReset] {
	return passwordLink[ui.PasswordReset]{h: h, kind: "link.kind.reset", render: h.renderReset,
		open: func(c linkCall) (ui.PasswordReset, error) {
			_, m, err := h.Links.OpenReset(c.r.Context(), c.t.ID, c.token)
			return ui.PasswordReset{Email: m.Email}, err
		},
		use: func(c linkCall, password string, _ ui.PasswordReset) (model.Member, error) {
			return h.Links.CompleteReset(c.r.Context(), c.t.ID, c.token, password)
		},
		done: func(c linkCall, m model.Member, p ui.PasswordReset) error {
			if err := h.Notices.Notify(c.r.Context(), c.t, m, notices.PasswordReset); err != nil {
				return httpx.Internal(err)
			}
			p.Done, p.LoginURL = true, "/login?"+url.Values{"login_hint": {m.Email}}.Encode()
			return h.renderReset(c, http.StatusOK, p, nil)
		},
	}
}

func (h *Handler) renderReset(c linkCall, status int, p ui.PasswordReset, errs map[string]i18n.Message) error {
	p.Page, p.CSRFToken, p.Errors = ui.PageFor(c.r, c.t), h.CSRF.Token(c.w, c.r), errs
	p.Action = onetime.ResetPath + c.token
	return h.UI.Render(c.w, status, ui.PagePasswordReset, p)
}
