// Package cli is Guildgate's command line: `serve` and the data commands an
// operator scripts against (tenant, member, group, client, connection, keys, apikey, setup-link, migrate). It is callable
// in-process through Main, so tests drive exactly what a shell would, and it
// goes through the same services as the admin API, so the shell can never
// store what the API would refuse.
package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Exit codes. Scripts can tell "fix your input" (2) from "try again later" (1).
const (
	exitOK      = 0
	exitFailure = 1 // runtime failure: database unreachable, disk full, …
	exitUsage   = 2 // usage or validation error: nothing was changed
)

// env is what a command may touch of the outside world; Main's parameters,
// so tests substitute every one.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) (string, bool)
	now    func() time.Time // the clock every command reads
}

// command is one runnable leaf ("member add") or a group of them ("member").
type command struct {
	synopsis string // arguments and flags, after the command's name
	summary  string
	run      func(ctx context.Context, c *call, args []string) error
	sub      map[string]command
}

// call is one command being run: the outside world plus its own name and
// synopsis, for usage messages.
type call struct {
	*env
	name     string // "member add"
	synopsis string
}

var commands = map[string]command{
	"serve": {summary: "run the server", run: runServe,
		synopsis: "[--addr 127.0.0.1:8443] [--issuer URL] [--tls-cert F --tls-key F] [--trusted-proxy CIDR]... [--config F]"},
	"tenant":     {summary: "manage tenants (sites)", sub: tenantCommands},
	"member":     {summary: "manage a tenant's members", sub: memberCommands},
	"group":      {summary: "manage a tenant's groups", sub: groupCommands},
	"client":     {summary: "manage a tenant's SSO clients", sub: clientCommands},
	"connection": {summary: "manage connections to organisations' own identity providers", sub: connectionCommands},
	"saml-app":   {summary: "manage a tenant's SAML 2.0 apps (service providers)", sub: samlAppCommands},
	"keys":       {summary: "list and rotate a tenant's signing keys", sub: keysCommands},
	"apikey":     {summary: "manage a tenant's admin API keys", sub: apikeyCommands},
	"webhook":    {summary: "manage the endpoints a tenant's changes are sent to", sub: webhookCommands},
	"mail":       {summary: "check that Guildgate's mail reaches people", sub: mailCommands},
	"setup-link": {summary: "print a new link that creates the site's first administrator", run: runSetupLink, synopsis: tenantFlags},
	"migrate":    {summary: "apply database migrations, or copy an SQLite database into PostgreSQL", run: runMigrate, synopsis: migrateSynopsis},
	"version":    {summary: "print the version and commit", run: runVersion},
}

// Main runs the command line args (without the program name) and returns the
// process exit code. Messages go to stderr as "guildgate: <what is wrong>".
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) (string, bool)) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, now: time.Now}
	return e.report(dispatch(ctx, e, "", commands, args))
}

// dispatch finds the command named by args[0] in table and runs it, or
// descends into its subcommands.
func dispatch(ctx context.Context, e *env, prefix string, table map[string]command, args []string) error {
	if len(args) == 0 {
		return &usageError{msg: "missing command", help: usageText(prefix, table)}
	}
	if isHelp(args[0]) {
		fmt.Fprint(e.stdout, usageText(prefix, table))
		return nil
	}
	name := strings.TrimSpace(prefix + " " + args[0])
	c, ok := table[args[0]]
	if !ok {
		return &usageError{msg: fmt.Sprintf("unknown command %q", name), help: usageText(prefix, table)}
	}
	if c.sub != nil {
		return dispatch(ctx, e, name, c.sub, args[1:])
	}
	return c.run(ctx, &call{env: e, name: name, synopsis: c.synopsis}, args[1:])
}

func isHelp(arg string) bool {
	return arg == "help" || arg == "-h" || arg == "-help" || arg == "--help"
}

// usageText lists the commands of one table, e.g. every "member" subcommand.
func usageText(prefix string, table map[string]command) string {
	var b strings.Builder
	fmt.Fprintf(&b, "usage: %s <command> [arguments] [flags]\n\ncommands:\n", strings.TrimSpace("guildgate "+prefix))
	names := make([]string, 0, len(table))
	for n := range table {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "  %-14s %s\n", n, table[n].summary)
	}
	fmt.Fprintf(&b, "\nRun '%s <command> -h' for a command's flags.\n", strings.TrimSpace("guildgate "+prefix))
	if prefix == "" {
		b.WriteString("Exit status: 0 ok, 1 runtime failure, 2 usage or input error (nothing changed).\n")
	}
	return b.String()
}
