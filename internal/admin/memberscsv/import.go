package memberscsv

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
)

// Report is what an import did, or with DryRun what it would do. Created,
// Updated and Unchanged count good rows; Errors lists every bad one.
type Report struct {
	DryRun    bool       `json:"dry_run"`
	Rows      int        `json:"rows"`
	Created   int        `json:"created"`
	Updated   int        `json:"updated"`
	Unchanged int        `json:"unchanged"`
	Errors    []RowError `json:"errors"`
}

// Importer applies rows through the directory service, so each change is
// validated and audited exactly as one made in the console or the API.
type Importer struct {
	Dir *directory.Service
}

// Import creates a member for each new email and updates the given fields
// of each existing one. Rows are independent: a bad row is reported and
// the rest are still stored. An email repeated in the file is refused on
// its later lines, since which line should win is a guess. A storage
// failure stops the import and is returned; rows before it stay stored.
func (im Importer) Import(ctx context.Context, actor, tenantID string, rows []Row, bad []RowError, dryRun bool) (Report, error) {
	rep := Report{DryRun: dryRun, Rows: len(rows) + len(bad), Errors: append([]RowError{}, bad...)}
	seen := make(map[string]int, len(rows))
	for _, row := range rows {
		email := row.get("email")
		key := strings.ToLower(email)
		if first, dup := seen[key]; dup && email != "" {
			rep.Errors = append(rep.Errors, RowError{Line: row.Line, Email: email,
				Message: fmt.Sprintf("email also on line %d; a member may appear only once", first)})
			continue
		}
		seen[key] = row.Line
		outcome, err := im.row(ctx, actor, tenantID, row, dryRun)
		if rowErr, ok := asRowError(err, row); ok {
			rep.Errors = append(rep.Errors, rowErr)
			continue
		} else if err != nil {
			return rep, fmt.Errorf("import line %d: %w", row.Line, err)
		}
		rep.count(outcome)
	}
	sortErrors(rep.Errors)
	return rep, nil
}

type outcome int

const (
	created outcome = iota
	updated
	unchanged
)

func (r *Report) count(o outcome) {
	switch o {
	case created:
		r.Created++
	case updated:
		r.Updated++
	default:
		r.Unchanged++
	}
}

// row imports one row. Its errors of the problem kinds are the row's fault.
func (im Importer) row(ctx context.Context, actor, tenantID string, row Row, dryRun bool) (outcome, error) {
	existing, err := im.Dir.MemberByEmail(ctx, tenantID, row.get("email"))
	if _, missing := errors.AsType[*problem.NotFound](err); missing || row.get("email") == "" {
		in := newMember(row)
		if err := in.Validate(); err != nil || dryRun {
			return created, err
		}
		_, err := im.Dir.AddMember(ctx, actor, tenantID, in)
		return created, err
	} else if err != nil {
		return 0, err
	}
	p := patchFor(existing, row)
	if p == (directory.MemberPatch{}) {
		return unchanged, nil
	}
	if err := p.Validate(); err != nil || dryRun {
		return updated, err
	}
	_, err = im.Dir.UpdateMember(ctx, actor, tenantID, existing.ID, p)
	return updated, err
}

// newMember reads a row; an empty status cell gives none (current), as an
// empty cell leaves a field alone everywhere in an import.
func newMember(row Row) directory.MemberInput {
	in := directory.MemberInput{
		Email: row.get("email"), Name: row.get("name"), GivenName: row.get("given_name"),
		FamilyName: row.get("family_name"), LegacyID: row.get("legacy_id"),
	}
	if s := row.get("status"); s != "" {
		status := model.MemberStatus(s)
		in.Status = &status
	}
	return in
}

// patchFor sets only the fields the row gives and that differ, so
// re-importing the same file changes nothing and writes no audit events.
func patchFor(m model.Member, row Row) directory.MemberPatch {
	var p directory.MemberPatch
	for _, f := range []struct {
		col string
		cur string
		dst **string
	}{
		{"name", m.Name, &p.Name}, {"given_name", m.GivenName, &p.GivenName},
		{"family_name", m.FamilyName, &p.FamilyName}, {"legacy_id", m.LegacyID, &p.LegacyID},
	} {
		if v := row.get(f.col); v != "" && v != f.cur {
			*f.dst = &v
		}
	}
	if v := model.MemberStatus(row.get("status")); v != "" && v != m.Status {
		p.Status = &v
	}
	return p
}

// asRowError turns the directory's input errors into the row's report.
func asRowError(err error, row Row) (RowError, bool) {
	re := RowError{Line: row.Line, Email: row.get("email")}
	if inv, ok := errors.AsType[*problem.Invalid](err); ok {
		re.Problems, re.Message = inv.Problems, inv.Error()
		return re, true
	}
	if c, ok := errors.AsType[*problem.Conflict](err); ok {
		re.Message = c.Error()
		return re, true
	}
	return re, false
}
