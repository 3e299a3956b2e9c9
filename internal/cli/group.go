package cli

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/views"
)

var groupCommands = map[string]command{
	"add":           {summary: "add a group", run: runGroupAdd, synopsis: "NAME [--description D] " + tenantFlags},
	"list":          {summary: "list groups", run: listAction((*call).withTenant, listGroups), synopsis: tenantFlags},
	"update":        {summary: "rename or re-describe a group", run: runGroupUpdate, synopsis: "NAME [--name NEW] [--description D] " + tenantFlags},
	"delete":        {summary: "delete a group and its memberships", run: runGroupDelete, synopsis: "NAME " + tenantFlags},
	"add-member":    {summary: "put a member in a group", run: membershipCommand(true), synopsis: "NAME EMAIL " + tenantFlags},
	"remove-member": {summary: "take a member out of a group", run: membershipCommand(false), synopsis: "NAME EMAIL " + tenantFlags},
}

func runGroupAdd(ctx context.Context, c *call, args []string) error {
	fs, df := c.dataFlagSet(true)
	var in directory.GroupInput
	fs.StringVar(&in.Description, "description", "", "what the group is for")
	pos, err := c.parseArgs(fs, args, "NAME")
	if err != nil {
		return err
	}
	in.Name = pos[0]
	if err := in.Validate(); err != nil {
		return err
	}
	return c.withTenant(ctx, fs, df, func(d *data, t model.Tenant) error {
		g, err := d.svc.Directory.AddGroup(ctx, actor, t.ID, in)
		if err != nil {
			return err
		}
		return c.printGroup(df.json, g)
	})
}

func (c *call) printGroup(asJSON bool, g model.Group) error {
	v := views.GroupOf(g)
	return c.emit(asJSON, v, func(w io.Writer) { groupText(w, v) })
}

func listGroups(ctx context.Context, c *call, d *data, t model.Tenant, asJSON bool) error {
	gs, err := d.svc.Directory.ListGroups(ctx, t.ID)
	if err != nil {
		return err
	}
	vs := make([]views.Group, len(gs))
	for i, g := range gs {
		vs[i] = views.GroupOf(g)
	}
	return c.emit(asJSON, vs, func(w io.Writer) {
		fmt.Fprintln(w, "NAME\tDESCRIPTION\tID")
		for _, v := range vs {
			fmt.Fprintf(w, "%s\t%s\t%s\n", v.Name, v.Description, v.ID)
		}
	})
}

func runGroupUpdate(ctx context.Context, c *call, args []string) error {
	fs, df := c.dataFlagSet(true)
	var name, desc optString
	fs.Var(&name, "name", "new name")
	fs.Var(&desc, "description", "new description (empty to clear)")
	pos, err := c.parseArgs(fs, args, "NAME")
	if err != nil {
		return err
	}
	p := directory.GroupPatch{Name: name.ptr(), Description: desc.ptr()}
	if err := p.Validate(); err != nil {
		return err
	}
	return c.withGroup(ctx, fs, df, pos[0], func(d *data, g model.Group) error {
		g, err := d.svc.Directory.UpdateGroup(ctx, actor, g.TenantID, g.ID, p)
		if err != nil {
			return err
		}
		return c.printGroup(df.json, g)
	})
}

func runGroupDelete(ctx context.Context, c *call, args []string) error {
	fs, df := c.dataFlagSet(true)
	pos, err := c.parseArgs(fs, args, "NAME")
	if err != nil {
		return err
	}
	return c.withGroup(ctx, fs, df, pos[0], func(d *data, g model.Group) error {
		if err := d.svc.Directory.DeleteGroup(ctx, actor, g.TenantID, g.ID); err != nil {
			return err
		}
		v := views.GroupOf(g)
		return c.emit(df.json, v, func(w io.Writer) { fmt.Fprintf(w, "deleted group %q\n", g.Name) })
	})
}

// membershipCommand builds "add-member NAME EMAIL" (add) or "remove-member
// NAME EMAIL"; both print the member with their groups afterwards.
func membershipCommand(add bool) func(context.Context, *call, []string) error {
	return func(ctx context.Context, c *call, args []string) error {
		fs, df := c.dataFlagSet(true)
		pos, err := c.parseArgs(fs, args, "NAME", "EMAIL")
		if err != nil {
			return err
		}
		return c.withGroup(ctx, fs, df, pos[0], func(d *data, g model.Group) error {
			m, err := d.svc.Directory.MemberByEmail(ctx, g.TenantID, pos[1])
			if err != nil {
				return err
			}
			change := d.svc.Directory.RemoveFromGroup
			if add {
				change = d.svc.Directory.AddToGroup
			}
			if err := change(ctx, actor, g.TenantID, g.ID, m.ID); err != nil {
				return err
			}
			return c.printMember(ctx, d, df.json, m, "")
		})
	}
}

// withGroup opens the store, resolves --tenant and the group by name, and
// runs fn.
func (c *call) withGroup(ctx context.Context, fs *flag.FlagSet, df *dataFlags, name string, fn func(*data, model.Group) error) error {
	return withFound(ctx, c, fs, df, name, (*directory.Service).GroupByName, fn)
}

// withFound opens the store, resolves --tenant and the one thing in the
// directory that key names (find: a group by name, a member by email), and
// runs fn.
func withFound[T any](ctx context.Context, c *call, fs *flag.FlagSet, df *dataFlags, key string,
	find func(*directory.Service, context.Context, string, string) (T, error), fn func(*data, T) error) error {
	return c.withTenant(ctx, fs, df, func(d *data, t model.Tenant) error {
		v, err := find(d.svc.Directory, ctx, t.ID, key)
		if err != nil {
			return err
		}
		return fn(d, v)
	})
}
