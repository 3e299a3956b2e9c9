package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/guildgate/guildgate/internal/config"
	"github.com/guildgate/guildgate/internal/mail"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/onetime"
	"github.com/guildgate/guildgate/internal/views"
)

// runMemberInvite invites a person. With a relay configured (as for serve:
// --smtp-url, GUILDGATE_SMTP_URL or the config file) the mail goes into
// the outbox, which the server sends; without one the link is printed.
func runMemberInvite(ctx context.Context, c *call, args []string) error {
	fs, df := c.dataFlagSet(true)
	config.RegisterMailFlags(fs)
	name := fs.String("name", "", "the person's name")
	groups := fs.String("groups", "", "comma-separated names of groups to put them in")
	pos, err := c.parseArgs(fs, args, "EMAIL")
	if err != nil {
		return err
	}
	in := onetime.InviteInput{Email: pos[0], Name: *name}
	for _, g := range strings.Split(*groups, ",") {
		if g = strings.TrimSpace(g); g != "" {
			in.Groups = append(in.Groups, g)
		}
	}
	return c.withTenant(ctx, fs, df, func(d *data, t model.Tenant) error {
		links, err := c.mailingLinks(ctx, d)
		if err != nil {
			return err
		}
		inv, err := links.Invite(ctx, actor, t, in)
		if err != nil {
			return err
		}
		v := views.InvitationOf(inv)
		return c.emit(df.json, v, func(w io.Writer) {
			if v.Mailed {
				fmt.Fprintf(w, "Invited %s: the server mails the link (valid until %s).\n", v.Email, stamp(v.ExpiresAt))
				return
			}
			fmt.Fprintf(w, "Invited %s. No mail relay is set, so pass this link on (it works once, until %s):\n%s\n",
				v.Email, stamp(v.ExpiresAt), v.URL)
		})
	})
}

// runRevokeInvitation withdraws a member's unused invitation.
func runRevokeInvitation(ctx context.Context, c *call, args []string) error {
	fs, df := c.dataFlagSet(true)
	pos, err := c.parseArgs(fs, args, "EMAIL")
	if err != nil {
		return err
	}
	return c.withMember(ctx, fs, df, pos[0], func(d *data, m model.Member) error {
		had, err := d.svc.Links.RevokeInvitation(ctx, actor, m.TenantID, m.ID)
		if err != nil {
			return err
		}
		if !had {
			return &inputError{msg: m.Email + " has no unused invitation"}
		}
		return c.emit(df.json, map[string]string{"member_id": m.ID, "email": m.Email}, func(w io.Writer) {
			fmt.Fprintf(w, "Withdrew the invitation of %s.\n", m.Email)
		})
	})
}

// runResetLink prints a one-time password-reset link for the administrator
// to pass on, as the console and the API make it: it replaces the member's
// unused one, works once, for onetime.ResetTTL, and is shown only here.
func runResetLink(ctx context.Context, c *call, args []string) error {
	fs, df := c.dataFlagSet(true)
	pos, err := c.parseArgs(fs, args, "EMAIL")
	if err != nil {
		return err
	}
	return c.withTenant(ctx, fs, df, func(d *data, t model.Tenant) error {
		m, err := d.svc.Directory.MemberByEmail(ctx, t.ID, pos[0])
		if err != nil {
			return err
		}
		token, l, err := d.svc.Links.ResetLink(ctx, actor, t.ID, m.ID)
		if err != nil {
			return err
		}
		v := views.ResetLink{MemberID: m.ID, URL: t.Issuer + onetime.ResetPath + token, ExpiresAt: l.ExpiresAt}
		return c.emit(df.json, v, func(w io.Writer) {
			fmt.Fprintf(w, "Password-reset link for %s (it works once, until %s; their password stays until it is used):\n%s\n",
				m.Email, stamp(v.ExpiresAt), v.URL)
		})
	})
}

// mailingLinks is the link service with mail when a relay is configured:
// the CLI writes mail to the outbox (sealed under the master key) and the
// server delivers it.
func (c *call) mailingLinks(ctx context.Context, d *data) (*onetime.Service, error) {
	m, err := c.mailer(ctx, d)
	if err != nil {
		return nil, err
	}
	return d.services(nil, m).Links, nil
}

// mailer writes mail to the outbox when a relay is configured (sealed under
// the master key; the server delivers it), and sends nothing otherwise.
func (c *call) mailer(ctx context.Context, d *data) (*mail.Mailer, error) {
	templates, err := mail.LoadTemplates()
	if err != nil {
		return nil, err
	}
	if d.cfg.SMTPURL == "" {
		return &mail.Mailer{Templates: templates}, nil
	}
	queue, err := d.queue(ctx)
	if err != nil {
		return nil, err
	}
	return &mail.Mailer{Templates: templates, Queue: queue}, nil
}
