package api

import (
	"net/http"
	"strconv"

	"github.com/guildgate/guildgate/internal/admin/memberscsv"
)

// importMembers reads a CSV body (header email,name,given_name,family_name,
// legacy_id,status, any order, email required). It answers 200 with a
// report even when rows are bad: the good ones are stored, and each bad one
// is listed with its line. Only a file that cannot be read as a whole (a
// bad header, too many rows) is refused with 400.
func (h *Handler) importMembers(w http.ResponseWriter, r *http.Request, c *call) error {
	dryRun, err := boolQuery(r, "dry_run")
	if err != nil {
		return err
	}
	if err := wantType(r, "text/csv"); err != nil {
		return err
	}
	rows, bad, err := memberscsv.Parse(r.Body)
	if err != nil {
		return err
	}
	rep, err := memberscsv.Importer{Dir: h.Dir}.Import(r.Context(), c.actor(), c.tenant.ID, rows, bad, dryRun)
	if err != nil {
		return err
	}
	return ok(w, importReportOf(rep))
}

func importReportOf(rep memberscsv.Report) importReport {
	out := importReport{DryRun: rep.DryRun, Rows: rep.Rows, Created: rep.Created, Updated: rep.Updated,
		Unchanged: rep.Unchanged, Errors: make([]importError, len(rep.Errors))}
	for i, e := range rep.Errors {
		out.Errors[i] = importError{Line: e.Line, Email: e.Email, Message: e.Message}
		if len(e.Problems) > 0 {
			out.Errors[i].Details = fieldProblems(e.Problems)
		}
	}
	return out
}

func boolQuery(r *http.Request, name string) (bool, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, invalid(name, "must be true or false")
	}
	return b, nil
}

func (h *Handler) exportMembers(w http.ResponseWriter, r *http.Request, c *call) error {
	hd := w.Header()
	hd.Set("Content-Type", "text/csv; charset=utf-8")
	hd.Set("Content-Disposition", `attachment; filename="members.csv"`)
	hd.Set("Cache-Control", "no-store")
	sw := &startWriter{w: w}
	err := memberscsv.Export(r.Context(), sw, h.Dir, c.tenant.ID)
	if err != nil && sw.started {
		// The 200 is sent: the only honest signal left is to cut the
		// connection, so the client sees a failed download, not a file
		// that looks complete. The log gets the cause.
		h.Logger.ErrorContext(r.Context(), "member export failed midway", "cause", err.Error())
		panic(http.ErrAbortHandler)
	}
	return err
}

// startWriter notes whether the response has begun.
type startWriter struct {
	w       http.ResponseWriter
	started bool
}

func (s *startWriter) Write(p []byte) (int, error) {
	s.started = true
	return s.w.Write(p)
}
