package cli

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/bench"
)

const benchSynopsis = "--target https://host:port --client-id ID --client-secret-stdin [--duration 10s] [--concurrency N] " +
	"[--workloads " + "discovery,jwks,client_credentials,userinfo,refresh,code_flow,code_exchange,login] [--ca FILE] [--server-pid PID] " +
	"[--member-email E] [--redirect-uri U] [--json]"

// runBench drives a running OpenID Provider (see internal/bench). Stdin's
// first line is the client secret; its second line, when the session
// workloads sign in through a login form, the member's password.
func runBench(ctx context.Context, c *call, args []string) error {
	fs := c.newFlagSet()
	var (
		cfg                 bench.Config
		secretStdin, asJSON bool
		workloads, ca       string
	)
	fs.StringVar(&cfg.Target, "target", "", "issuer URL of the provider to drive (https://host:port)")
	fs.StringVar(&cfg.ClientID, "client-id", "", "a confidential client allowed authorization_code, refresh_token and client_credentials")
	fs.BoolVar(&secretStdin, "client-secret-stdin", false, "read the client secret from stdin's first line (required; the member's password, if any, from the second)")
	fs.DurationVar(&cfg.Duration, "duration", 10*time.Second, "how long each workload runs (at most 10m)")
	fs.IntVar(&cfg.Concurrency, "concurrency", 8, "concurrent requests (and kept-alive connections)")
	fs.StringVar(&workloads, "workloads", strings.Join(bench.All, ","), "comma-separated workloads, run in this order")
	fs.StringVar(&ca, "ca", "", "PEM file of the CA (or self-signed certificate) to trust; default the system's")
	fs.IntVar(&cfg.ServerPID, "server-pid", 0, "the server's pid on this machine, to report its CPU seconds per 1,000 requests")
	fs.StringVar(&cfg.MemberEmail, "member-email", "", "the member who signs in for userinfo, refresh, code_flow and code_exchange; for login, a comma-separated list (one password) rotated across workers so no account is throttled")
	fs.StringVar(&cfg.RedirectURI, "redirect-uri", "https://rp.example/cb", "a redirect URI registered for the client (never fetched)")
	fs.BoolVar(&asJSON, "json", false, "print the results as JSON")
	if _, err := c.parseArgs(fs, args); err != nil {
		return err
	}
	if err := c.require(fs, "target", "client-id", "client-secret-stdin"); err != nil {
		return err
	}
	if !secretStdin {
		return c.usage("--client-secret-stdin is required: secrets never come from flags")
	}
	for _, w := range strings.Split(workloads, ",") {
		if w = strings.TrimSpace(w); w != "" {
			cfg.Workloads = append(cfg.Workloads, w)
		}
	}
	if cfg.Duration <= 0 || cfg.Duration > bench.MaxDuration || cfg.Concurrency < 1 || cfg.Concurrency > bench.MaxConcurrency {
		return c.usage("--duration must be in (0, %s] and --concurrency in [1, %d]", bench.MaxDuration, bench.MaxConcurrency)
	}
	lines, err := readLines(c, 2)
	if err != nil {
		return err
	}
	cfg.ClientSecret = lines[0]
	if len(lines) > 1 {
		cfg.MemberPassword = lines[1]
	}
	if ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return &inputError{msg: fmt.Sprintf("--ca: %v", err)}
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return &inputError{msg: "--ca: no PEM certificate in " + ca}
		}
	}
	results, err := bench.Run(ctx, cfg)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if asJSON {
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			return err
		}
	} else {
		bench.WriteTable(c.stdout, results)
	}
	for _, r := range results {
		if r.Errors > 0 || r.Requests == 0 {
			return fmt.Errorf("bench: workload %s had %d errors and %d requests", r.Workload, r.Errors, r.Requests)
		}
	}
	return nil
}

// readLines reads up to n non-empty lines of stdin; the first is required.
func readLines(c *call, n int) ([]string, error) {
	if c.stdin == nil {
		return nil, noPassword()
	}
	data, err := io.ReadAll(io.LimitReader(c.stdin, maxSecretLine))
	if err != nil {
		return nil, fmt.Errorf("read stdin: %w", err)
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSuffix(l, "\r"); l != "" && len(out) < n {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		return nil, &inputError{msg: "no client secret on stdin: send it as the first line"}
	}
	return out, nil
}
