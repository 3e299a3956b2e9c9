// Package memberscsv moves a tenant's members in and out as CSV, the format
// associations keep their member lists in. Import creates or updates members
// by email through the directory service, so a file can never store a member
// the API would refuse; a bad row is reported with its line number and never
// stops the good ones.
package memberscsv

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/guildgate/guildgate/internal/problem"
)

// Columns are the CSV columns, in export order. Import needs email and
// accepts the others in any order.
var Columns = []string{"email", "name", "given_name", "family_name", "legacy_id", "status"}

// MaxRows bounds one import: enough for the largest association's member
// list in one go, small enough that a request cannot run for hours.
const MaxRows = 100_000

// Row is one member line of a file. An empty cell means "not given": a new
// member takes the default, an existing one keeps its value.
type Row struct {
	Line   int
	Fields map[string]string // column → trimmed value
}

func (r Row) get(col string) string { return r.Fields[col] }

// RowError is a line that was not imported, and why.
type RowError struct {
	Line     int               `json:"line"`
	Email    string            `json:"email,omitempty"`
	Message  string            `json:"message"`
	Problems []problem.Problem `json:"-"`
}

// Parse reads the header and every row. A problem with the file as a whole
// (no header, an unknown or missing column, too many rows) is a
// *problem.Invalid; a row that cannot be read becomes a RowError and parsing
// goes on with the next line.
func Parse(in io.Reader) ([]Row, []RowError, error) {
	r := csv.NewReader(in)
	r.FieldsPerRecord = -1 // counted here, so one short row is one bad row
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return nil, nil, fileProblem("the file has no header line (expected %s)", strings.Join(Columns, ","))
	}
	cols, err := columns(header)
	if err != nil {
		return nil, nil, err
	}
	var rows []Row
	var bad []RowError
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return rows, bad, nil
		}
		if pe, ok := errors.AsType[*csv.ParseError](err); ok {
			bad = append(bad, RowError{Line: pe.StartLine, Message: "not valid CSV: " + pe.Err.Error()})
			continue
		} else if err != nil {
			return nil, nil, fmt.Errorf("read csv: %w", err)
		}
		line, _ := r.FieldPos(0) // only for a record read whole: FieldPos panics after an error
		if len(rows)+len(bad) >= MaxRows {
			return nil, nil, fileProblem("the file has more than %d rows; split it", MaxRows)
		}
		if len(rec) != len(cols) {
			bad = append(bad, RowError{Line: line, Message: fmt.Sprintf("has %d fields, the header %d", len(rec), len(cols))})
			continue
		}
		row := Row{Line: line, Fields: make(map[string]string, len(cols))}
		for i, c := range cols {
			row.Fields[c] = unescapeCell(strings.TrimSpace(rec[i]))
		}
		rows = append(rows, row)
	}
}

// columns checks the header: known names only, each once, email required.
// A UTF-8 byte-order mark, which spreadsheet programs write, is dropped.
func columns(header []string) ([]string, error) {
	var ps problem.List
	cols := make([]string, len(header))
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		switch {
		case !slices.Contains(Columns, h):
			ps.Add("header", "unknown column %q (known: %s)", h, strings.Join(Columns, ", "))
		case slices.Contains(cols[:i], h):
			ps.Add("header", "column %q appears twice", h)
		}
		cols[i] = h
	}
	if !slices.Contains(cols, "email") {
		ps.Add("header", "the email column is required: members are matched by email")
	}
	return cols, ps.Err()
}

func fileProblem(format string, args ...any) error {
	var ps problem.List
	ps.Add("file", format, args...)
	return ps.Err()
}
