package account

import (
	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/onetime"
	"github.com/guildgate/guildgate/internal/ui"
)

// setupLink creates the first administrator, signs them in and opens the
// console. A refused form comes back with what was typed, passwords aside.
func (h *Handler) setupLink() passwordLink[ui.AdminSetup] {
	return passwordLink[ui.AdminSetup]{h: h, kind: "link.kind.setup", render: h.renderSetup,
		open: func(c linkCall) (ui.AdminSetup, error) {
			_, err := h.Links.OpenSetup(c.r.Context(), c.t.ID, c.token)
			f := c.r.PostForm // empty on the first showing
			return ui.AdminSetup{Email: f.Get("email"), Name: f.Get("name")}, err
		},
		use: func(c linkCall, password string, p ui.AdminSetup) (model.Member, error) {
			return h.Links.CompleteSetup(c.r.Context(), c.t.ID, c.token,
				directory.MemberInput{Email: p.Email, Name: p.Name, Password: password})
		},
		done: func(c linkCall, m model.Member, _ ui.AdminSetup) error {
			return h.signIn(c, m, "/admin/")
		},
	}
}

func (h *Handler) renderSetup(c linkCall, status int, p ui.AdminSetup, errs map[string]i18n.Message) error {
	p.Page, p.CSRFToken, p.Errors = ui.PageFor(c.r, c.t), h.CSRF.Token(c.w, c.r), errs
	p.Action = onetime.SetupPath + c.token
	return h.UI.Render(c.w, status, ui.PageAdminSetup, p)
}
