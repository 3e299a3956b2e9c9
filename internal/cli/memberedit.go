package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/model"
)

func runMemberUpdate(ctx context.Context, c *call, args []string) error {
	fs, df := c.dataFlagSet(true)
	var email, name, given, family, legacy, status, lang optString
	var verified, admin optBool
	fs.Var(&email, "email", "new email address")
	fs.Var(&name, "name", "full name")
	fs.Var(&given, "given-name", "given name (empty to clear)")
	fs.Var(&family, "family-name", "family name (empty to clear)")
	fs.Var(&legacy, "legacy-id", "id in the previous system (empty to clear)")
	fs.Var(&status, "status", "membership status: current, grace_period, inheriting, expired or non_member")
	fs.Var(&verified, "email-verified", "whether the email address is verified (a new --email is unverified unless this is given)")
	fs.Var(&admin, "admin", "whether the member administers the tenant")
	fs.Var(&lang, "language", "the member's language for mail and the locale claim: en, fr, de, es or nl (empty to forget it)")
	pos, err := c.parseArgs(fs, args, "EMAIL")
	if err != nil {
		return err
	}
	p := directory.MemberPatch{
		Email: email.ptr(), Name: name.ptr(), GivenName: given.ptr(), FamilyName: family.ptr(),
		LegacyID: legacy.ptr(), EmailVerified: verified.ptr(), Admin: admin.ptr(), Language: lang.ptr(),
	}
	if status.set {
		s := model.MemberStatus(status.v)
		p.Status = &s
	}
	if err := p.Validate(); err != nil {
		return err
	}
	return c.withMember(ctx, fs, df, pos[0], func(d *data, m model.Member) error {
		m, err := d.svc.Directory.UpdateMember(ctx, actor, m.TenantID, m.ID, p)
		if err != nil {
			return err
		}
		return c.printMember(ctx, d, df.json, m, "")
	})
}

func runMemberDelete(ctx context.Context, c *call, args []string) error {
	fs, df := c.dataFlagSet(true)
	pos, err := c.parseArgs(fs, args, "EMAIL")
	if err != nil {
		return err
	}
	return c.withMember(ctx, fs, df, pos[0], func(d *data, m model.Member) error {
		v, err := d.memberViewOf(ctx, m) // before the memberships go with it
		if err != nil {
			return err
		}
		if err := d.svc.Directory.DeleteMember(ctx, actor, m.TenantID, m.ID); err != nil {
			return err
		}
		return c.emit(df.json, v, func(w io.Writer) { fmt.Fprintf(w, "deleted member %s (%s)\n", v.Email, v.ID) })
	})
}

func runSetPassword(ctx context.Context, c *call, args []string) error {
	fs, df := c.dataFlagSet(true)
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of stdin (default: generate one and print it once)")
	pos, err := c.parseArgs(fs, args, "EMAIL")
	if err != nil {
		return err
	}
	pw, generated, err := c.newPassword(*fromStdin)
	if err != nil {
		return err
	}
	if err := directory.CheckPassword(pw); err != nil {
		return err
	}
	return c.withMember(ctx, fs, df, pos[0], func(d *data, m model.Member) error {
		if err := d.svc.Directory.SetPassword(ctx, actor, m.TenantID, m.ID, pw); err != nil {
			return err
		}
		m, err := d.svc.Directory.Member(ctx, m.TenantID, m.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stderr, "guildgate: password set for %s; their sessions were ended\n", m.Email)
		return c.printMember(ctx, d, df.json, m, generated)
	})
}
