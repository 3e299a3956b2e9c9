package console

import (
	"errors"
	"net/http"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/problem"
)

// confirmation asks before a destructive change. The change itself is the
// POST of its form, so a link (or a prefetch) can never delete anything.
type confirmation struct {
	base
	Title, Message string
	Warnings       []string
	Action, Button string
	Back           string
}

func (h *Handler) confirm(w http.ResponseWriter, r *http.Request, c *call, section string, cf confirmation) error {
	cf.base = pageBase(r, c, section, cf.Title)
	return h.views.render(w, http.StatusOK, "confirm", cf)
}

// asPageError shows the services' input kinds as the error page with their
// own words (they name what is missing or wrong); anything else stays a
// fault whose cause only the log sees.
func asPageError(err error) error {
	if nf, ok := errors.AsType[*problem.NotFound](err); ok {
		return httpx.NotFound(nf.Error()).WithCause(err)
	}
	if inv, ok := errors.AsType[*problem.Invalid](err); ok {
		return httpx.BadRequest(inv.Error()).WithCause(err)
	}
	if c, ok := errors.AsType[*problem.Conflict](err); ok {
		return (&httpx.Error{Status: http.StatusConflict, Message: c.Error()}).WithCause(err)
	}
	return err
}
