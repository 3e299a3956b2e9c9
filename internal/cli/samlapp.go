package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/saml"
	"github.com/guildgate/guildgate/internal/samlapps"
	"github.com/guildgate/guildgate/internal/views"
)

const samlAppSettings = "[--slo-url U] [--signing-cert-file F] [--nameid-format email|persistent|transient] " +
	"[--groups CSV] [--relay-state S] " + tenantFlags

var samlAppCommands = map[string]command{
	"add": {summary: "register a SAML 2.0 app (service provider)", run: runSAMLAppAdd,
		synopsis: "--name N (--metadata-url U | --metadata-file F | --entity-id E --acs-urls CSV) " + samlAppSettings},
	"list": {summary: "list SAML apps", run: listAction((*call).withSAMLApps, listSAMLApps), synopsis: tenantFlags},
	"show": {summary: "show one SAML app", run: idAction((*call).withSAMLApps, showSAMLApp), synopsis: "ID " + tenantFlags},
	"update": {summary: "change some of a SAML app's settings, or read its metadata again", run: runSAMLAppUpdate,
		synopsis: "ID [--name N] [--metadata-url U | --metadata-file F] [--entity-id E] [--acs-urls CSV] " + samlAppSettings},
	"delete": {summary: "delete a SAML app", run: idAction((*call).withSAMLApps, deleteSAMLApp), synopsis: "ID " + tenantFlags},
}

// samlAppFlags are the settings add and update share; each remembers
// whether it was given.
type samlAppFlags struct {
	name, metadataURL, metadataFile, entityID, acs, slo, certFile, format, groups, relayState optString
}

func (f *samlAppFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.name, "name", "the app's name, shown to members and administrators")
	fs.Var(&f.metadataURL, "metadata-url", "https URL of the app's SAML metadata, read once now")
	fs.Var(&f.metadataFile, "metadata-file", "file holding the app's SAML metadata")
	fs.Var(&f.entityID, "entity-id", "the app's entity id, exactly as its requests send it")
	fs.Var(&f.acs, "acs-urls", "comma-separated assertion consumer service URLs (https); the first is the default")
	fs.Var(&f.slo, "slo-url", "the app's single logout URL (empty: none)")
	fs.Var(&f.certFile, "signing-cert-file", "PEM file of the certificate the app signs requests with; then every request must be signed")
	fs.Var(&f.format, "nameid-format", "NameID sent to the app: email (default), persistent (the member id) or transient")
	fs.Var(&f.groups, "groups", "comma-separated names of the groups whose members may use the app (empty: every member)")
	fs.Var(&f.relayState, "relay-state", "RelayState sent with sign-ins started from the member's app list (at most 80 bytes)")
}

// maxFile bounds a metadata or certificate file read from disk.
const maxFile = saml.MaxMetadata

func readSmallFile(field, path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, &problem.Invalid{Problems: []problem.Problem{{Field: field, Message: fmt.Sprintf("cannot read %q: %v", path, err)}}}
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, maxFile+1))
	if err == nil && len(b) > maxFile {
		err = fmt.Errorf("larger than %d KiB", maxFile>>10)
	}
	if err != nil {
		return nil, &problem.Invalid{Problems: []problem.Problem{{Field: field, Message: fmt.Sprintf("cannot read %q: %v", path, err)}}}
	}
	return b, nil
}

func (f *samlAppFlags) input() (samlapps.Input, error) {
	in := samlapps.Input{Name: f.name.v, MetadataURL: f.metadataURL.v, EntityID: f.entityID.v, SLOURL: f.slo.v,
		NameIDFormat: f.format.v, RelayState: f.relayState.v}
	setGiven(&in.ACSURLs, csv(f.acs))
	setGiven(&in.PermittedGroups, csv(f.groups))
	var err error
	if f.metadataFile.set {
		if in.Metadata, err = readSmallFile("metadata", f.metadataFile.v); err != nil {
			return in, err
		}
	}
	if f.certFile.set {
		cert, err := readSmallFile("signing_cert", f.certFile.v)
		if err != nil {
			return in, err
		}
		in.SigningCert = string(cert)
	}
	return in, nil
}

func (f *samlAppFlags) patch() (samlapps.Patch, error) {
	p := samlapps.Patch{Name: f.name.ptr(), MetadataURL: f.metadataURL.ptr(), EntityID: f.entityID.ptr(), ACSURLs: csv(f.acs),
		SLOURL: f.slo.ptr(), NameIDFormat: f.format.ptr(), PermittedGroups: csv(f.groups), RelayState: f.relayState.ptr()}
	if f.metadataFile.set {
		doc, err := readSmallFile("metadata", f.metadataFile.v)
		if err != nil {
			return p, err
		}
		p.Metadata = &doc
	}
	if f.certFile.set {
		cert := ""
		if f.certFile.v != "" { // an empty file name removes the certificate
			b, err := readSmallFile("signing_cert", f.certFile.v)
			if err != nil {
				return p, err
			}
			cert = string(b)
		}
		p.SigningCert = &cert
	}
	return p, nil
}

func runSAMLAppAdd(ctx context.Context, c *call, args []string) error {
	var f samlAppFlags
	fs, df, err := c.parseAdd(args, &f)
	if err != nil {
		return err
	}
	in, err := f.input()
	if err != nil {
		return err
	}
	return c.withSAMLApps(ctx, fs, df, func(svc *samlapps.Service, t model.Tenant) error {
		v, err := svc.Create(ctx, actor, t.ID, in)
		if err != nil {
			return err
		}
		return c.printSAMLApp(df.json, t, v)
	})
}

func runSAMLAppUpdate(ctx context.Context, c *call, args []string) error {
	var f samlAppFlags
	fs, df, id, err := c.parseUpdate(args, &f)
	if err != nil {
		return err
	}
	p, err := f.patch()
	if err != nil {
		return err
	}
	return c.withSAMLApps(ctx, fs, df, func(svc *samlapps.Service, t model.Tenant) error {
		v, err := svc.Update(ctx, actor, t.ID, id, p)
		if err != nil {
			return err
		}
		return c.printSAMLApp(df.json, t, v)
	})
}

func listSAMLApps(ctx context.Context, c *call, svc *samlapps.Service, t model.Tenant, asJSON bool) error {
	vs, err := svc.List(ctx, t.ID)
	if err != nil {
		return err
	}
	out := make([]views.SAMLApp, len(vs))
	for i, v := range vs {
		out[i] = views.SAMLAppOf(v)
	}
	return c.emit(asJSON, out, func(w io.Writer) {
		if len(out) == 0 {
			fmt.Fprintln(w, "no SAML apps (add one with 'guildgate saml-app add')")
		}
		for i, v := range out {
			if i > 0 {
				fmt.Fprintln(w)
			}
			samlAppText(w, t, v)
		}
	})
}

func showSAMLApp(ctx context.Context, c *call, svc *samlapps.Service, t model.Tenant, id string, asJSON bool) error {
	v, err := svc.Get(ctx, t.ID, id)
	if err != nil {
		return err
	}
	return c.printSAMLApp(asJSON, t, v)
}

func deleteSAMLApp(ctx context.Context, c *call, svc *samlapps.Service, t model.Tenant, id string, asJSON bool) error {
	v, err := svc.Get(ctx, t.ID, id)
	if err != nil {
		return err
	}
	if err := svc.Delete(ctx, actor, t.ID, v.ID); err != nil {
		return err
	}
	return c.emit(asJSON, views.SAMLAppOf(v), func(w io.Writer) { fmt.Fprintf(w, "deleted SAML app %q (%s)\n", v.Name, v.ID) })
}

// withSAMLApps resolves --tenant and builds the SAML app service; metadata
// URLs are fetched through the outbound client, under the server's address
// policy (--allow-private-upstreams from the environment or file).
func (c *call) withSAMLApps(ctx context.Context, fs *flag.FlagSet, df *dataFlags, fn func(*samlapps.Service, model.Tenant) error) error {
	return c.withTenant(ctx, fs, df, func(d *data, t model.Tenant) error {
		return fn(d.svc.SAMLApps, t)
	})
}

func (c *call) printSAMLApp(asJSON bool, t model.Tenant, v samlapps.View) error {
	sv := views.SAMLAppOf(v)
	return c.emit(asJSON, sv, func(w io.Writer) { samlAppText(w, t, sv) })
}

// samlAppText also prints what the administrator gives the app's owner:
// the IdP metadata URL and, for launching from the app list, its link.
func samlAppText(w io.Writer, t model.Tenant, v views.SAMLApp) {
	groups, cert := strings.Join(v.PermittedGroups, ", "), "(none: requests need not be signed)"
	switch {
	case v.AllMembers:
		groups = "(every member)"
	case v.AdmitsNobody:
		groups = "(nobody: every permitted group was deleted; choose groups with --groups) " + groups
	}
	if v.SigningCertificate != "" {
		cert = "registered (every request must be signed)"
	}
	issuer := strings.TrimSuffix(t.Issuer, "/")
	fields(w, "id", v.ID, "name", v.Name, "entity_id", v.EntityID, "acs_urls", strings.Join(v.ACSURLs, ", "),
		"slo_url", v.SLOURL, "signing_certificate", cert, "nameid_format", v.NameIDFormat, "permitted_groups", groups,
		"relay_state", v.RelayState, "metadata_url", v.MetadataURL, "idp_metadata", issuer+saml.PathMetadata,
		"launch_url", issuer+saml.PathLaunch+v.ID, "created_at", stamp(v.CreatedAt), "updated_at", stamp(v.UpdatedAt))
}
