package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/guildgate/guildgate/internal/connections"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/outbound"
	"github.com/guildgate/guildgate/internal/scim"
	upoidc "github.com/guildgate/guildgate/internal/upstream/oidc"
	"github.com/guildgate/guildgate/internal/views"
)

var connectionSettings = "[--domains CSV] [--scopes S] [--groups-claim C] [--group-map upstream=local,…] " +
	"[--jit] [--jit-status S] [--trust-email] [--issuer-mode " + strings.Join(model.IssuerModes, "|") + "] " +
	"[--entra-tenants TID=domain|domain,…] [--auth-method " + strings.Join(model.AuthMethods, "|") + "] " +
	"[--fetch-userinfo] [--show-button] " + tenantFlags

const connectionProvider = "(--discovery-url U | --issuer U --authorization-url U --token-url U --jwks-url U [--userinfo-url U]) " +
	"--client-id I --client-secret-stdin "

var connectionCommands = map[string]command{
	"add": {summary: "connect an organisation's identity provider", run: runConnectionAdd,
		synopsis: "--name N " + connectionProvider + connectionSettings},
	"list":   {summary: "list upstream connections", run: listAction((*call).withConnections, listConnections), synopsis: tenantFlags},
	"show":   {summary: "show one connection", run: idAction((*call).withConnections, showConnection), synopsis: "ID " + tenantFlags},
	"update": {summary: "change some of a connection's settings", run: runConnectionUpdate, synopsis: "ID [--name N] [--client-secret-stdin] … " + connectionSettings},
	"delete": {summary: "delete a connection and the identities linked through it", run: idAction((*call).withConnections, deleteConnection), synopsis: "ID " + tenantFlags},
	"test": {summary: "check a connection's discovery, JWKS and endpoints against the provider", run: runConnectionTest,
		synopsis: "ID " + tenantFlags},
	"setup-link": {summary: "make a single-use link (72 hours) for the organisation's IT contact to enter their provider's details",
		run: idAction((*call).withConnections, setupLink), synopsis: "ID " + tenantFlags},
	"scim-token": {summary: "issue the connection's SCIM bearer token (shown once; replaces the one before)",
		run: runSCIMToken, synopsis: "ID " + tenantFlags},
}

func runSCIMToken(ctx context.Context, c *call, args []string) error {
	fs, df := c.dataFlagSet(true)
	pos, err := c.parseArgs(fs, args, "ID")
	if err != nil {
		return err
	}
	return c.withTenant(ctx, fs, df, func(d *data, t model.Tenant) error {
		token, err := d.svc.SCIMTokens.Issue(ctx, actor, t.ID, pos[0])
		if err != nil {
			return err
		}
		v := struct {
			BaseURL string `json:"base_url"`
			Token   string `json:"token"`
		}{strings.TrimSuffix(t.Issuer, "/") + scim.Prefix, token}
		return c.emit(df.json, v, func(w io.Writer) {
			fmt.Fprintf(w, "SCIM base URL: %s\nSCIM token:    %s\n", v.BaseURL, v.Token)
			fmt.Fprintf(w, "\nThe token is shown only now: enter it in the directory's provisioning settings "+
				"(Okta: API token; Entra ID: secret token). Any earlier token of this connection no longer works.\n")
		})
	})
}

func runConnectionAdd(ctx context.Context, c *call, args []string) error {
	var cf connectionFlags
	fs, df, err := c.parseAdd(args, &cf)
	if err != nil {
		return err
	}
	secret, err := c.connectionSecret(cf.secretStdin)
	if err != nil {
		return err
	}
	in := cf.input(secret)
	if err := in.Validate(); err != nil && secret != "" { // a draft is checked by the service
		return err
	}
	return c.withConnections(ctx, fs, df, func(svc *connections.Service, t model.Tenant) error {
		conn, err := svc.Create(ctx, actor, t.ID, in)
		if err != nil {
			return err
		}
		return c.printConnection(ctx, svc, t, df.json, conn)
	})
}

func runConnectionUpdate(ctx context.Context, c *call, args []string) error {
	var cf connectionFlags
	fs, df, id, err := c.parseUpdate(args, &cf)
	if err != nil {
		return err
	}
	secret, err := c.connectionSecret(cf.secretStdin)
	if err != nil {
		return err
	}
	return c.withConnections(ctx, fs, df, func(svc *connections.Service, t model.Tenant) error {
		conn, err := svc.Update(ctx, actor, t.ID, id, cf.patch(secret))
		if err != nil {
			return err
		}
		return c.printConnection(ctx, svc, t, df.json, conn)
	})
}

// connectionSecret reads the client secret from stdin when asked: never
// from a flag, which other users of the machine can read.
func (c *call) connectionSecret(fromStdin bool) (string, error) {
	if !fromStdin {
		return "", nil
	}
	s, err := readSecretLine(c.stdin)
	if err != nil {
		return "", &inputError{msg: `no client secret on stdin: send it as the first line, e.g. printf '%s\n' "$SECRET" | guildgate connection add … --client-secret-stdin`}
	}
	return s, nil
}

func listConnections(ctx context.Context, c *call, svc *connections.Service, t model.Tenant, asJSON bool) error {
	cs, err := svc.List(ctx, t.ID)
	if err != nil {
		return err
	}
	names, err := svc.GroupNames(ctx, t.ID)
	if err != nil {
		return err
	}
	cvs := make([]views.Connection, len(cs))
	for i, conn := range cs {
		cvs[i] = connectionViewOf(conn, t, names)
	}
	return c.emit(asJSON, cvs, func(w io.Writer) {
		if len(cvs) == 0 {
			fmt.Fprintln(w, "no connections (add one with 'guildgate connection add')")
			return
		}
		fmt.Fprintln(w, "ID\tNAME\tDOMAINS\tREADY")
		for _, v := range cvs {
			fmt.Fprintf(w, "%s\t%s\t%s\t%v\n", v.ID, v.Name, join(v.Domains), v.Ready)
		}
	})
}

func showConnection(ctx context.Context, c *call, svc *connections.Service, t model.Tenant, id string, asJSON bool) error {
	conn, err := svc.Get(ctx, t.ID, id)
	if err != nil {
		return err
	}
	return c.printConnection(ctx, svc, t, asJSON, conn)
}

func deleteConnection(ctx context.Context, c *call, svc *connections.Service, t model.Tenant, id string, asJSON bool) error {
	conn, err := svc.Delete(ctx, actor, t.ID, id)
	if err != nil {
		return err
	}
	return c.emit(asJSON, connectionViewOf(conn, t, nil), func(w io.Writer) {
		fmt.Fprintf(w, "deleted connection %q (%s)\n", conn.Name, conn.ID)
	})
}

// runConnectionTest runs the checks under the server's outbound policy:
// the same --allow-private-upstreams setting (environment or file) decides
// which addresses the provider may be at.
func runConnectionTest(ctx context.Context, c *call, args []string) error {
	fs, df := c.dataFlagSet(true)
	pos, err := c.parseArgs(fs, args, "ID")
	if err != nil {
		return err
	}
	return c.withTenant(ctx, fs, df, func(d *data, t model.Tenant) error {
		out := outbound.New(outbound.Options{AllowPrivate: d.cfg.AllowPrivateUpstreams})
		return c.withConnectionService(ctx, d, func(svc *connections.Service) error {
			return testConnection(ctx, c, svc, out, t, pos[0], df.json)
		})
	})
}

// testConnection runs the checks and fails (exit 1) when any finds a problem.
func testConnection(ctx context.Context, c *call, svc *connections.Service, out *outbound.Client, t model.Tenant, id string, asJSON bool) error {
	conn, err := svc.Get(ctx, t.ID, id)
	if err != nil {
		return err
	}
	if !connections.Ready(conn) {
		return &inputError{msg: fmt.Sprintf("connection %q has no provider details yet: add them with 'guildgate connection update' or send a setup link", conn.Name)}
	}
	secret, err := svc.Secret(conn)
	if err != nil {
		return err
	}
	findings := upoidc.Check(ctx, conn, secret, connections.CallbackURL(t.Issuer), upoidc.Options{Outbound: out})
	problems := 0
	for _, f := range findings {
		if !f.OK {
			problems++
		}
	}
	err = c.emit(asJSON, findings, func(w io.Writer) {
		for _, f := range findings {
			mark := "ok"
			if !f.OK {
				mark = "PROBLEM"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\n", mark, f.Check, f.Message)
		}
	})
	if err == nil && problems > 0 {
		err = fmt.Errorf("the connection test found %d problem(s)", problems)
	}
	return err
}

func setupLink(ctx context.Context, c *call, svc *connections.Service, t model.Tenant, id string, asJSON bool) error {
	token, l, err := svc.CreateSetupLink(ctx, actor, t.ID, id)
	if err != nil {
		return err
	}
	v := views.SetupLink{URL: t.Issuer + connections.SetupPath + token, ExpiresAt: l.ExpiresAt}
	return c.emit(asJSON, v, func(w io.Writer) {
		fmt.Fprintf(w, "Send this single-use link to the organisation's IT contact (it works once, until %s):\n%s\n",
			stamp(v.ExpiresAt), v.URL)
	})
}

// withConnections resolves --tenant and builds the connection service with
// the master key the server uses.
func (c *call) withConnections(ctx context.Context, fs *flag.FlagSet, df *dataFlags, fn func(*connections.Service, model.Tenant) error) error {
	return c.withTenant(ctx, fs, df, func(d *data, t model.Tenant) error {
		return c.withConnectionService(ctx, d, func(svc *connections.Service) error { return fn(svc, t) })
	})
}

func (c *call) withConnectionService(ctx context.Context, d *data, fn func(*connections.Service) error) error {
	svc, err := c.sealing(ctx, d)
	if err != nil {
		return err
	}
	return fn(svc.Connections)
}
