package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/views"
)

func runMemberList(ctx context.Context, c *call, args []string) error {
	fs, df := c.dataFlagSet(true)
	var q store.MemberQuery
	fs.StringVar(&q.Search, "query", "", "show only members whose email, name or legacy id contains this (case-insensitive)")
	fs.IntVar(&q.Limit, "limit", 0, fmt.Sprintf("show one page of at most this many members (1-%d; default: all)", store.MaxLimit))
	fs.StringVar(&q.After, "after", "", "continue after this cursor, printed by a previous --limit page")
	if _, err := c.parseArgs(fs, args); err != nil {
		return err
	}
	paged := isSet(fs, "limit") || q.After != ""
	if isSet(fs, "limit") && (q.Limit < 1 || q.Limit > store.MaxLimit) {
		return &inputError{msg: fmt.Sprintf("--limit must be between 1 and %d", store.MaxLimit)}
	}
	return c.withTenant(ctx, fs, df, func(d *data, t model.Tenant) error {
		members, next, err := listMembers(ctx, d, t.ID, q, paged)
		if err != nil {
			return err
		}
		if err := c.printMembers(ctx, d, df.json, members); err != nil {
			return err
		}
		if next != "" {
			fmt.Fprintf(c.stderr, "guildgate: more members follow: run again with --after %s\n", next)
		}
		return nil
	})
}

// listMembers returns one page when paged, else walks every page.
func listMembers(ctx context.Context, d *data, tenantID string, q store.MemberQuery, paged bool) ([]model.Member, string, error) {
	var all []model.Member
	for {
		p, err := d.svc.Directory.ListMembers(ctx, tenantID, q)
		if err != nil {
			return nil, "", err
		}
		all = append(all, p.Items...)
		if paged || p.Next == "" {
			return all, p.Next, nil
		}
		q.After = p.Next
	}
}

func (c *call) printMembers(ctx context.Context, d *data, asJSON bool, members []model.Member) error {
	vs := make([]views.Member, len(members))
	for i, m := range members {
		v, err := d.memberViewOf(ctx, m)
		if err != nil {
			return err
		}
		vs[i] = v
	}
	return c.emit(asJSON, vs, func(w io.Writer) {
		fmt.Fprintln(w, "EMAIL\tNAME\tSTATUS\tDISABLED\tADMIN\tID")
		for _, v := range vs {
			fmt.Fprintf(w, "%s\t%s\t%s\t%v\t%v\t%s\n", v.Email, v.Name, v.Status, v.Disabled, v.Admin, v.ID)
		}
	})
}
