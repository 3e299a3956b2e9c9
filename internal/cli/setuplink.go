package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/onetime"
	"github.com/guildgate/guildgate/internal/views"
)

// runSetupLink prints a new first-administrator link, for a site whose
// first link (printed once, at serve's first start) was lost or expired.
// It replaces any earlier unused link, and there is none to be had once
// the site has an administrator.
func runSetupLink(ctx context.Context, c *call, args []string) error {
	fs, df := c.dataFlagSet(true)
	if _, err := c.parseArgs(fs, args); err != nil {
		return err
	}
	return c.withTenant(ctx, fs, df, func(d *data, t model.Tenant) error {
		token, l, err := d.svc.Links.SetupLink(ctx, t.ID)
		if err != nil {
			return err
		}
		if token == "" {
			return &inputError{msg: "the site already has an administrator, who can make more in the console; " +
				"or run: guildgate member update EMAIL --admin=true"}
		}
		v := views.SetupLink{URL: t.Issuer + onetime.SetupPath + token, ExpiresAt: l.ExpiresAt}
		return c.emit(df.json, v, func(w io.Writer) {
			fmt.Fprintf(w, "Create the first administrator in your browser (the link works once, until %s):\n%s\n",
				stamp(v.ExpiresAt), v.URL)
		})
	})
}
