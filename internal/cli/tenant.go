package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/guildgate/guildgate/internal/branding"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/tenancy"
	"github.com/guildgate/guildgate/internal/views"
)

var tenantCommands = map[string]command{
	"add": {summary: "add a tenant (a site with its own issuer)", run: runTenantAdd,
		synopsis: "SLUG --issuer URL [--name N] [--host H]... [--after-logout-url U] " + storeFlags},
	"update": {summary: "change some of a tenant's settings", run: runTenantUpdate,
		synopsis: "SLUG [--issuer URL] [--name N] [--host H]... [--after-logout-url U] " + storeFlags},
	"list": {summary: "list tenants", run: runTenantList, synopsis: storeFlags},
	"show": {summary: "show one tenant", run: runTenantShow, synopsis: "SLUG " + storeFlags},
}

const languageUsage = "language of member pages when the browser names none we speak: en, fr, de, es or nl (default en)"

const hostUsage = "extra host name this tenant answers for, beyond its issuer's (repeatable)"

func runTenantAdd(ctx context.Context, c *call, args []string) error {
	fs, df := c.dataFlagSet(false)
	var in tenancy.TenantInput
	var hosts stringList
	fs.StringVar(&in.Issuer, "issuer", "", "issuer URL, https://… (required)")
	fs.StringVar(&in.Name, "name", "", "display name (default: the slug)")
	fs.Var(&hosts, "host", hostUsage)
	fs.StringVar(&in.AfterLogoutURL, "after-logout-url", "", "where sign-out lands when no app asks for a page")
	fs.StringVar(&in.DefaultLanguage, "default-language", "", languageUsage)
	pos, err := c.parseArgs(fs, args, "SLUG")
	if err != nil {
		return err
	}
	if err := c.require(fs, "issuer"); err != nil {
		return err
	}
	in.Slug, in.Hosts = pos[0], hosts.vals
	d, err := c.open(ctx, fs)
	if err != nil {
		return err
	}
	defer d.store.Close()
	t, err := d.svc.Tenants.Create(ctx, actor, in)
	if err != nil {
		return err
	}
	return c.printTenant(df.json, views.TenantOf(t))
}

func (c *call) printTenant(asJSON bool, v views.Tenant) error {
	return c.emit(asJSON, v, func(w io.Writer) { tenantText(w, v) })
}

func runTenantUpdate(ctx context.Context, c *call, args []string) error {
	fs, df := c.dataFlagSet(false)
	var name, issuer, after, lang, color, support, privacy, message, logoFile optString
	var hosts stringList
	fs.Var(&issuer, "issuer", "issuer URL, https://…")
	fs.Var(&name, "name", "display name")
	fs.Var(&hosts, "host", hostUsage+`; replaces the list, --host "" empties it`)
	fs.Var(&after, "after-logout-url", "where sign-out lands when no app asks for a page (empty to clear)")
	fs.Var(&lang, "default-language", languageUsage)
	fs.Var(&name, "display-name", "the name members see on every page (the same as --name)")
	fs.Var(&color, "primary-color", "buttons and links, #RRGGBB; white text on it needs contrast 4.5:1 (empty for the default)")
	fs.Var(&support, "support-url", "https link to help, in every page's footer (empty to clear)")
	fs.Var(&privacy, "privacy-url", "https link to the privacy policy, in every page's footer (empty to clear)")
	fs.Var(&message, "sign-in-message", "one short line shown on the sign-in page (empty to clear)")
	fs.Var(&logoFile, "logo-file", "PNG, JPEG or WebP of at most 256 KiB, re-encoded before use (empty to remove)")
	var mfaPolicy optString
	fs.Var(&mfaPolicy, "mfa", "who must use a second factor: optional, admins (every administrator) or required (every member who signs in with a password)")
	pos, err := c.parseArgs(fs, args, "SLUG")
	if err != nil {
		return err
	}
	if mfaPolicy.set && !model.MFAPolicy(mfaPolicy.v).Valid() { // before the store is touched at all
		return &inputError{msg: fmt.Sprintf("--mfa must be optional, admins or required, not %q", mfaPolicy.v)}
	}
	p := tenancy.TenantPatch{Name: name.ptr(), Issuer: issuer.ptr(), AfterLogoutURL: after.ptr(), DefaultLanguage: lang.ptr(),
		PrimaryColor: color.ptr(), SupportURL: support.ptr(), PrivacyURL: privacy.ptr(), SignInMessage: message.ptr()}
	if f := logoFile.ptr(); f != nil {
		logo, err := readLogo(*f)
		if err != nil {
			return err
		}
		p.Logo = &logo
	}
	if hosts.set {
		h := hostList(hosts.vals)
		p.Hosts = &h
	}
	return c.withSlug(ctx, fs, pos[0], func(d *data, t model.Tenant) error {
		if !mfaPolicy.set || p != (tenancy.TenantPatch{}) {
			var err error
			if t, err = d.svc.Tenants.Update(ctx, actor, pos[0], p); err != nil {
				return err
			}
		}
		if mfaPolicy.set {
			if err := d.svc.Settings.SetTenant(ctx, actor, t.ID, model.MFAPolicy(mfaPolicy.v)); err != nil {
				return err
			}
			fmt.Fprintf(c.stderr, "guildgate: second-factor policy of %s: %s\n", t.Slug, mfaPolicy.v)
		}
		return c.printTenant(df.json, views.TenantOf(t))
	})
}

// hostList treats a lone empty --host as "no extra hosts".
func hostList(vals []string) []string {
	if len(vals) == 1 && strings.TrimSpace(vals[0]) == "" {
		return []string{}
	}
	return vals
}

func runTenantList(ctx context.Context, c *call, args []string) error {
	fs, df := c.dataFlagSet(false)
	if _, err := c.parseArgs(fs, args); err != nil {
		return err
	}
	// "default" first: a fresh install lists its default tenant.
	return c.withSlug(ctx, fs, model.DefaultTenantSlug, func(d *data, _ model.Tenant) error {
		ts, err := d.svc.Tenants.List(ctx)
		if err != nil {
			return err
		}
		vs := make([]views.Tenant, len(ts))
		for i, t := range ts {
			vs[i] = views.TenantOf(t)
		}
		return c.emit(df.json, vs, func(w io.Writer) {
			fmt.Fprintln(w, "SLUG\tNAME\tISSUER\tHOSTS")
			for _, v := range vs {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", v.Slug, v.Name, v.Issuer, strings.Join(v.Hosts, ","))
			}
		})
	})
}

func runTenantShow(ctx context.Context, c *call, args []string) error {
	fs, df := c.dataFlagSet(false)
	pos, err := c.parseArgs(fs, args, "SLUG")
	if err != nil {
		return err
	}
	return c.withSlug(ctx, fs, pos[0], func(_ *data, t model.Tenant) error {
		return c.printTenant(df.json, views.TenantOf(t))
	})
}

// readLogo reads a logo file, refusing one far over the limit before
// reading it whole; "" means no logo.
func readLogo(path string) ([]byte, error) {
	if path == "" {
		return []byte{}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &usageError{msg: "--logo-file: " + err.Error()}
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, branding.MaxLogoBytes+1))
	if err != nil {
		return nil, &usageError{msg: "--logo-file: " + err.Error()}
	}
	return b, nil
}
