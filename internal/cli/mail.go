package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/guildgate/guildgate/internal/config"
	"github.com/guildgate/guildgate/internal/mail"
	"github.com/guildgate/guildgate/internal/model"
)

var mailCommands = map[string]command{
	"test": {summary: "send a test mail through the relay serve would use, and show the relay's answer", run: runMailTest,
		synopsis: "--to ADDRESS [--smtp-url URL] [--mail-from ADDR] " + tenantFlags},
}

// runMailTest sends at once, not through the outbox, so that a relay that
// refuses says why right here.
func runMailTest(ctx context.Context, c *call, args []string) error {
	fs, df := c.dataFlagSet(true)
	config.RegisterMailFlags(fs)
	to := fs.String("to", "", "address to send the test mail to")
	if _, err := c.parseArgs(fs, args); err != nil {
		return err
	}
	if *to == "" {
		return c.usage("--to is required")
	}
	return c.withTenant(ctx, fs, df, func(d *data, t model.Tenant) error {
		if d.cfg.SMTPURL == "" {
			return &inputError{msg: "no mail relay is set: give --smtp-url (or GUILDGATE_SMTP_URL) and --mail-from, as for serve"}
		}
		relay, err := mail.NewRelay(d.cfg.SMTPURL, d.cfg.SMTPPassword, d.cfg.MailFrom)
		if err != nil {
			return &inputError{msg: err.Error()}
		}
		err = mail.SendTest(ctx, relay, t, *to, c.now())
		if errors.Is(err, mail.ErrInvalid) {
			return &inputError{msg: err.Error()}
		} else if err != nil {
			return fmt.Errorf("the relay %s did not take the test mail: %w", relay, err)
		}
		v := struct {
			To    string `json:"to"`
			Relay string `json:"relay"`
		}{*to, relay.String()}
		return c.emit(df.json, v, func(w io.Writer) {
			fmt.Fprintf(w, "The relay %s accepted a test mail to %s.\n", v.Relay, v.To)
		})
	})
}
