package cli

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/guildgate/guildgate/internal/config"
	"github.com/guildgate/guildgate/internal/model"
)

// runResetMFA removes every second factor of a member who lost them
// (authenticator app, recovery codes, passkeys), so that they can sign in
// with their password and set up a new one, and mails them that it was
// done (when mail is on). It prints the member; the text form says whether
// there was anything to remove. The removal is audited by the mfa service.
func runResetMFA(ctx context.Context, c *call, args []string) error {
	fs, df := c.dataFlagSet(true)
	config.RegisterMailFlags(fs) // as for serve: the notice goes into the outbox, which the server sends
	pos, err := c.parseArgs(fs, args, "EMAIL")
	if err != nil {
		return err
	}
	return c.withMember(ctx, fs, df, pos[0], func(d *data, m model.Member) error {
		mailer, err := c.mailer(ctx, d)
		if err != nil {
			return err
		}
		t, err := d.store.Tenants().Get(ctx, m.TenantID)
		if err != nil {
			return err
		}
		removed, err := d.services(nil, mailer).MFA.Reset(ctx, t, m, actor)
		if err != nil {
			return err
		}
		v, err := d.memberViewOf(ctx, m)
		if err != nil {
			return err
		}
		return c.emit(df.json, v, func(w io.Writer) {
			if removed {
				fmt.Fprintf(w, "removed the second factors of %s; they sign in with their password and may set up a new one\n", m.Email)
			} else {
				fmt.Fprintf(w, "%s had no second factor; nothing changed\n", m.Email)
			}
		})
	})
}

// setRequireMFA applies --require-mfa when it was given, and says so on
// stderr (the client view is shared with the API and does not hold it).
func (c *call) setRequireMFA(ctx context.Context, fs *flag.FlagSet, t model.Tenant, clientID string, o optBool) error {
	if !o.set {
		return nil
	}
	d, err := c.open(ctx, fs)
	if err != nil {
		return err
	}
	defer d.store.Close()
	if err := d.svc.Settings.SetClient(ctx, actor, t.ID, clientID, o.v); err != nil {
		return err
	}
	fmt.Fprintf(c.stderr, "guildgate: client %s requires a second factor: %v\n", clientID, o.v)
	return nil
}
