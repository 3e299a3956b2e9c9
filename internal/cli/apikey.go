package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/views"
)

var apikeyCommands = map[string]command{
	"create": {summary: "create an admin API key and print it once", run: runAPIKeyCreate, synopsis: "--name N " + tenantFlags},
	"list":   {summary: "list the tenant's admin API keys (never the keys themselves)", run: listAction((*call).withTenant, listAPIKeys), synopsis: tenantFlags},
	"revoke": {summary: "stop an admin API key working, at once", run: idAction((*call).withTenant, revokeAPIKey), synopsis: "ID " + tenantFlags},
}

func runAPIKeyCreate(ctx context.Context, c *call, args []string) error {
	fs, df := c.dataFlagSet(true)
	name := fs.String("name", "", "what the key is for, e.g. the program that uses it")
	if _, err := c.parseArgs(fs, args); err != nil {
		return err
	}
	if err := c.require(fs, "name"); err != nil {
		return err
	}
	return c.withTenant(ctx, fs, df, func(d *data, t model.Tenant) error {
		k, secret, err := d.svc.APIKeys.Create(ctx, actor, t.ID, *name)
		if err != nil {
			return err
		}
		v := views.APIKeyOf(k)
		v.Key = secret
		return c.emit(df.json, v, func(w io.Writer) {
			fields(w, "id", v.ID, "name", v.Name, "key", v.Key)
			fmt.Fprintf(w, "\nThe key is shown only now: store it in the program's secret settings and send it as\n"+
				"'Authorization: Bearer <key>' to %s/api/v1/. Revoke it with 'guildgate apikey revoke %s'.\n", t.Issuer, v.ID)
		})
	})
}

func listAPIKeys(ctx context.Context, c *call, d *data, t model.Tenant, asJSON bool) error {
	ks, err := d.svc.APIKeys.List(ctx, t.ID)
	if err != nil {
		return err
	}
	vs := make([]views.APIKey, len(ks))
	for i, k := range ks {
		vs[i] = views.APIKeyOf(k)
	}
	return c.emit(asJSON, vs, func(w io.Writer) {
		fmt.Fprintln(w, "ID\tNAME\tPREFIX\tCREATED\tREVOKED")
		for _, v := range vs {
			fmt.Fprintf(w, "%s\t%s\t%s…\t%s\t%s\n", v.ID, v.Name, v.Prefix, stamp(v.CreatedAt), orDash(v.RevokedAt))
		}
	})
}

func revokeAPIKey(ctx context.Context, c *call, d *data, t model.Tenant, id string, asJSON bool) error {
	if err := d.svc.APIKeys.Revoke(ctx, actor, t.ID, id); err != nil {
		return err
	}
	if asJSON {
		return c.emit(true, map[string]string{"id": id, "status": "revoked"}, nil)
	}
	_, err := fmt.Fprintf(c.stdout, "revoked API key %s\n", id)
	return err
}
