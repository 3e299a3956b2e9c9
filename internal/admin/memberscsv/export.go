package memberscsv

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"

	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/store"
)

// Export writes every member of the tenant as CSV with the Columns header,
// page by page, so 100,000 members never sit in memory at once. The output
// imports back unchanged.
func Export(ctx context.Context, w io.Writer, dir *directory.Service, tenantID string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Columns); err != nil {
		return err
	}
	q := store.MemberQuery{Limit: store.MaxLimit}
	for {
		p, err := dir.ListMembers(ctx, tenantID, q)
		if err != nil {
			return fmt.Errorf("export members: %w", err)
		}
		for _, m := range p.Items {
			rec := []string{m.Email, m.Name, m.GivenName, m.FamilyName, m.LegacyID, string(m.Status)}
			for i := range rec {
				rec[i] = escapeCell(rec[i])
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil || p.Next == "" {
			return err
		}
		q.After = p.Next
	}
}

// sortErrors orders a report's errors by line, as a person reads the file.
func sortErrors(es []RowError) {
	slices.SortStableFunc(es, func(a, b RowError) int { return cmp.Compare(a.Line, b.Line) })
}
