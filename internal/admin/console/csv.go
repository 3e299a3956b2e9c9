package console

import (
	"net/http"

	"github.com/guildgate/guildgate/internal/admin/memberscsv"
	"github.com/guildgate/guildgate/internal/httpx"
)

type importPage struct {
	base
	Report *memberscsv.Report
	Errors map[string][]string
}

func (h *Handler) importForm(w http.ResponseWriter, r *http.Request, c *call) error {
	return h.views.render(w, http.StatusOK, "import", importPage{base: pageBase(r, c, "members", "Import members")})
}

// importMembers takes an uploaded CSV; "Preview" is a dry run that shows
// every bad row before anything is stored.
func (h *Handler) importMembers(w http.ResponseWriter, r *http.Request, c *call) error {
	file, _, err := r.FormFile("file")
	if err != nil {
		return httpx.BadRequest("Choose a CSV file to import.").WithCause(err)
	}
	defer file.Close()
	page := importPage{base: pageBase(r, c, "members", "Import members")}
	rows, bad, err := memberscsv.Parse(file)
	if errs, isBad := fieldErrors(err); isBad {
		page.Errors = errs
		return h.views.render(w, http.StatusBadRequest, "import", page)
	} else if err != nil {
		return err
	}
	rep, err := memberscsv.Importer{Dir: h.Dir}.Import(r.Context(), c.actor(), c.tenant.ID, rows, bad, r.PostForm.Get("dry_run") == "on")
	if err != nil {
		return err
	}
	page.Report = &rep
	return h.views.render(w, http.StatusOK, "import", page)
}

func (h *Handler) exportMembers(w http.ResponseWriter, r *http.Request, c *call) error {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="members.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	if err := memberscsv.Export(r.Context(), w, h.Dir, c.tenant.ID); err != nil {
		h.Logger.ErrorContext(r.Context(), "member export failed midway", "cause", err.Error())
		panic(http.ErrAbortHandler) // cut the download so it cannot pass for complete
	}
	return nil
}
