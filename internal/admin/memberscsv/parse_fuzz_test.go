package memberscsv

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/problem"
)

// FuzzParse: an uploaded member file never panics the parser; a file-wide
// problem is a validation error, and every line is either a row or a bad
// row, each with a line number, the row's cells being known columns.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"email,name\nada@example.org,Ada\n", "\ufeffEMAIL;name\n", "email\n\"unterminated\n",
		"email,name\na,b,c\n'=1+1,x\n", "name\n", "", "email,email\n", "email\r\n\r\n\x00\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, file string) {
		rows, bad, err := Parse(strings.NewReader(file))
		if err != nil {
			if _, ok := errors.AsType[*problem.Invalid](err); !ok {
				t.Fatalf("%q: %v", file, err)
			}
			return
		}
		for _, r := range rows {
			if r.Line < 1 {
				t.Fatalf("%q: row without a line: %+v", file, r)
			}
			for col := range r.Fields {
				if !slices.Contains(Columns, col) {
					t.Fatalf("%q: unknown column %q", file, col)
				}
			}
		}
		for _, b := range bad {
			if b.Line < 1 || b.Message == "" {
				t.Fatalf("%q: bad row %+v", file, b)
			}
		}
	})
}
