package account

import (
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/onetime"
	"github.com/guildgate/guildgate/internal/ui"
)

const kindInvite = "link.kind.invite"

// inviteLink sets the invited member's first password, which proves their
// address too, and signs them in.
func (h *Handler) inviteLink() passwordLink[ui.Invite] {
	return passwordLink[ui.Invite]{h: h, kind: kindInvite, render: h.renderInvite,
		open: func(c linkCall) (ui.Invite, error) {
			_, m, err := h.Links.OpenInvitation(c.r.Context(), c.t.ID, c.token)
			return ui.Invite{Email: m.Email}, err
		},
		use: func(c linkCall, password string, _ ui.Invite) (model.Member, error) {
			return h.Links.AcceptInvitation(c.r.Context(), c.t.ID, c.token, password)
		},
		done: func(c linkCall, m model.Member, _ ui.Invite) error {
			return h.signIn(c, m, HomePath)
		},
	}
}

func (h *Handler) renderInvite(c linkCall, status int, p ui.Invite, errs map[string]i18n.Message) error {
	p.Page, p.CSRFToken, p.Errors = ui.PageFor(c.r, c.t), h.CSRF.Token(c.w, c.r), errs
	p.Action = onetime.InvitePath + c.token
	return h.UI.Render(c.w, status, ui.PageInvite, p)
}
