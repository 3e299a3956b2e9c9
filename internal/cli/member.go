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

var memberCommands = map[string]command{
	"add": {summary: "add a member", run: runMemberAdd,
		synopsis: "--email E --name N [--given-name G] [--family-name F] [--legacy-id L] [--status current|grace_period|inheriting|expired|non_member] [--email-verified] [--admin] [--password-stdin] " + tenantFlags},
	"list": {summary: "list or search members", run: runMemberList, synopsis: "[--query Q] [--limit N] [--after CURSOR] " + tenantFlags},
	"show": {summary: "show one member", run: memberAction(showMember), synopsis: "EMAIL " + tenantFlags},
	"update": {summary: "change some of a member's fields", run: runMemberUpdate,
		synopsis: "EMAIL [--email NEW] [--name N] [--given-name G] [--family-name F] [--legacy-id L] [--status S] [--email-verified=true|false] [--admin=true|false] [--language L] " + tenantFlags},
	"disable": {summary: "stop a member signing in and end their sessions", run: memberAction(disableMember), synopsis: "EMAIL " + tenantFlags},
	"enable":  {summary: "let a disabled member sign in again", run: memberAction(enableMember), synopsis: "EMAIL " + tenantFlags},
	"delete":  {summary: "delete a member, their memberships and sessions", run: runMemberDelete, synopsis: "EMAIL " + tenantFlags},
	"invite": {summary: "invite a person: they choose a password through a 7-day link (mailed, or printed without a relay); again to re-send",
		run: runMemberInvite, synopsis: "EMAIL [--name N] [--groups CSV] " + tenantFlags},
	"reset-link": {summary: "print a one-time link (24 hours) with which the member sets a new password", run: runResetLink,
		synopsis: "EMAIL " + tenantFlags},
	"revoke-invitation": {summary: "withdraw a member's unused invitation", run: runRevokeInvitation, synopsis: "EMAIL " + tenantFlags},
	"reset-mfa":         {summary: "remove a member's second factors (authenticator app, recovery codes, passkeys) and mail them", run: runResetMFA, synopsis: "EMAIL [--smtp-url URL --mail-from ADDR] " + tenantFlags},
	"set-password":      {summary: "set a member's password and end their sessions", run: runSetPassword, synopsis: "EMAIL [--password-stdin] " + tenantFlags},
}

func runMemberAdd(ctx context.Context, c *call, args []string) error {
	fs, df := c.dataFlagSet(true)
	var in directory.MemberInput
	fs.StringVar(&in.Email, "email", "", "email address, unique in the tenant (required)")
	fs.StringVar(&in.Name, "name", "", "full name (required)")
	fs.StringVar(&in.GivenName, "given-name", "", "given name")
	fs.StringVar(&in.FamilyName, "family-name", "", "family name")
	fs.StringVar(&in.LegacyID, "legacy-id", "", "the member's id in the organisation's previous system")
	var status optString
	fs.Var(&status, "status", "membership status: current (default), grace_period, inheriting, expired or non_member")
	fs.BoolVar(&in.EmailVerified, "email-verified", false, "mark the email address as verified")
	fs.BoolVar(&in.Admin, "admin", false, "make the member an administrator of the tenant")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of stdin (default: generate one and print it once)")
	if _, err := c.parseArgs(fs, args); err != nil {
		return err
	}
	if err := c.require(fs, "email", "name"); err != nil {
		return err
	}
	in.Status = (*model.MemberStatus)(status.ptr())
	pw, generated, err := c.newPassword(*fromStdin)
	if err != nil {
		return err
	}
	in.Password = pw
	if err := in.Validate(); err != nil { // before the store is touched at all
		return err
	}
	return c.withTenant(ctx, fs, df, func(d *data, t model.Tenant) error {
		m, err := d.svc.Directory.AddMember(ctx, actor, t.ID, in)
		if err != nil {
			return err
		}
		return c.printMember(ctx, d, df.json, m, generated)
	})
}

// printMember prints m; generated is a password Guildgate made up, shown
// this once because only its hash is kept.
func (c *call) printMember(ctx context.Context, d *data, asJSON bool, m model.Member, generated string) error {
	v, err := d.memberViewOf(ctx, m)
	if err != nil {
		return err
	}
	// The member's view, plus the generated password the one time it
	// exists outside the member's hands.
	out := struct {
		views.Member
		GeneratedPassword string `json:"generated_password,omitempty"`
	}{v, generated}
	return c.emit(asJSON, out, func(w io.Writer) {
		memberText(w, v)
		if generated != "" {
			fmt.Fprintf(w, "\ngenerated password:\t%s\n(shown only this once: Guildgate keeps only a hash of it)\n", generated)
		}
	})
}

// memberAction builds a command "<verb> EMAIL" that applies act to one member
// and prints the result.
func memberAction(act func(ctx context.Context, d *data, m model.Member) (model.Member, error)) func(context.Context, *call, []string) error {
	return func(ctx context.Context, c *call, args []string) error {
		fs, df := c.dataFlagSet(true)
		pos, err := c.parseArgs(fs, args, "EMAIL")
		if err != nil {
			return err
		}
		return c.withMember(ctx, fs, df, pos[0], func(d *data, m model.Member) error {
			m, err := act(ctx, d, m)
			if err != nil {
				return err
			}
			return c.printMember(ctx, d, df.json, m, "")
		})
	}
}

func showMember(_ context.Context, _ *data, m model.Member) (model.Member, error) { return m, nil }

func disableMember(ctx context.Context, d *data, m model.Member) (model.Member, error) {
	return d.svc.Directory.DisableMember(ctx, actor, m.TenantID, m.ID)
}

func enableMember(ctx context.Context, d *data, m model.Member) (model.Member, error) {
	return d.svc.Directory.EnableMember(ctx, actor, m.TenantID, m.ID)
}

// withMember opens the store, resolves --tenant and the member by email, and
// runs fn.
func (c *call) withMember(ctx context.Context, fs *flag.FlagSet, df *dataFlags, email string, fn func(*data, model.Member) error) error {
	return withFound(ctx, c, fs, df, email, (*directory.Service).MemberByEmail, fn)
}
