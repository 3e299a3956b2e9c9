package bench

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Exit codes of Main, as the guildgate command uses them.
const (
	exitOK    = 0
	exitError = 1 // the run failed, or a workload had errors
	exitUsage = 2 // bad flags or input: nothing ran
)

// maxStdin bounds what Main reads from stdin (two short lines).
const maxStdin = 8192

// Bounds of --rounds and --server-cpu.
const (
	maxRounds = 100
	maxCPU    = 1024 // what a CPU set of x/sys/unix holds
)

// Main is the guildgate-bench command: it drives --target and, with
// --peer, another provider in the same invocation, and measures this
// machine's RS256 and ES256 signing limits and argon2id limit in that run
// too. Stdin's first line is the client secret (the peer is configured with
// the same clients); its second line, when the session workloads sign in
// through a login form, the member's password; its third, with
// --es256-client-id, that client's secret.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == limitChildArg {
		return runLimitChild(args[1:], stdout, stderr)
	}
	inv, err := parseArgs(args, stdin, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "guildgate-bench:", err)
		}
		return exitUsage
	}
	if err := inv.run(ctx, stdout); err != nil {
		fmt.Fprintln(stderr, "guildgate-bench:", err)
		return exitError
	}
	return exitOK
}

// invocation is one command line: the target, an optional peer, output.
type invocation struct {
	target, peer Config
	hasPeer      bool
	asJSON       bool
	jsonOut      string
	samplesOut   string
	limits       bool
	rounds       int
	serverCPU    int // -1: not given
	opts         options
}

func parseArgs(args []string, stdin io.Reader, stderr io.Writer) (invocation, error) {
	fs := flag.NewFlagSet("guildgate-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		inv                   invocation
		cfg                   = &inv.target
		secretStdin           bool
		workloads, ca, peerCA string
		peerTarget            string
		peerPID               int
		noLimits              bool
		es256ID               string
	)
	fs.StringVar(&cfg.Target, "target", "", "issuer URL of the provider to drive (https://host:port)")
	fs.StringVar(&cfg.ClientID, "client-id", "", "a confidential client allowed authorization_code, refresh_token and client_credentials")
	fs.BoolVar(&secretStdin, "client-secret-stdin", false, "read the client secret from stdin's first line (required; the member's password, if any, from the second; --es256-client-id's secret from the third)")
	fs.StringVar(&es256ID, "es256-client-id", "", "a second client, like --client-id but registered with ES256 ID tokens, for refresh_es256 and code_exchange_es256 (the peer has it too); its secret is stdin's third line")
	fs.DurationVar(&cfg.Duration, "duration", 10*time.Second, "how long each workload runs (at most 10m)")
	fs.IntVar(&cfg.Concurrency, "concurrency", 8, "concurrent requests (and kept-alive connections)")
	fs.StringVar(&workloads, "workloads", strings.Join(All, ","), "comma-separated workloads, run in this order")
	fs.StringVar(&ca, "ca", "", "PEM file of the CA (or self-signed certificate) to trust; default the system's")
	fs.IntVar(&cfg.ServerPID, "server-pid", 0, "the target's pid on this machine, to report its CPU per request and its rate per core")
	fs.Var((*pidList)(&cfg.ExtraPIDs), "database-pid", "a pid whose CPU counts as the target's too (PostgreSQL's WAL writer, checkpointer, …); repeat it")
	fs.BoolVar(&cfg.CountBackends, "database-backends", false, "count the CPU of every PostgreSQL backend serving one of --server-pid's connections too, found while each workload runs (replaced ones included)")
	fs.StringVar(&cfg.MemberEmail, "member-email", "", "the member who signs in for userinfo, refresh, code_flow and code_exchange; for login, a comma-separated list (one password) rotated across workers so no account is throttled")
	fs.StringVar(&cfg.RedirectURI, "redirect-uri", "https://rp.example/cb", "a redirect URI registered for the client (never fetched)")
	fs.StringVar(&peerTarget, "peer", "", "issuer URL of a second provider, configured with the same client and member, driven alternately with the target (see --rounds) for the ratios")
	fs.IntVar(&peerPID, "peer-pid", 0, "the peer's pid on this machine")
	fs.StringVar(&peerCA, "peer-ca", "", "PEM file to trust for the peer; default --ca")
	fs.IntVar(&inv.rounds, "rounds", 1, "rounds: in each, every workload runs on the target and the peer back to back, which goes first alternating; each side's rounds are pooled, and the per-core ratio's range over them is printed")
	fs.IntVar(&inv.serverCPU, "server-cpu", -1, "the CPU the servers run on (Linux): the limits are measured on a thread pinned to it, between workloads, and its steal time is read around each workload")
	fs.BoolVar(&noLimits, "no-signing-limits", false, "skip measuring this machine's RS256/ES256 signing and argon2id limits")
	fs.BoolVar(&inv.asJSON, "json", false, "print the results as JSON")
	fs.StringVar(&inv.jsonOut, "json-out", "", "also write the results as JSON to this file")
	fs.StringVar(&inv.samplesOut, "samples-out", "", "also write every measured request to this file as CSV: run (target or peer), workload, start and latency in µs, worker, server CPU latency in µs (0: not measured), round (from 1)")
	fs.BoolVar(&inv.opts.markdown, "markdown", false, "print the tables as Markdown (for docs/benchmarks.md)")
	fs.StringVar(&inv.opts.targetName, "target-name", "target", "the target's name in the report")
	fs.StringVar(&inv.opts.peerName, "peer-name", "peer", "the peer's name in the report")
	fs.StringVar(&inv.opts.peerKind, "peer-kind", PeerOther, "what the peer is, for issue 11's targets: op (another provider: per-core ratios), sqlite (the same Guildgate on SQLite, the target on PostgreSQL: within 70 %), other (none)")
	if err := fs.Parse(args); err != nil {
		return inv, err
	}
	if fs.NArg() > 0 {
		return inv, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if cfg.Target == "" || cfg.ClientID == "" || !secretStdin {
		return inv, errors.New("--target, --client-id and --client-secret-stdin are required: secrets never come from flags")
	}
	for _, w := range strings.Split(workloads, ",") {
		if w = strings.TrimSpace(w); w != "" {
			cfg.Workloads = append(cfg.Workloads, w)
		}
	}
	if cfg.Duration <= 0 || cfg.Duration > MaxDuration || cfg.Concurrency < 1 || cfg.Concurrency > MaxConcurrency {
		return inv, fmt.Errorf("--duration must be in (0, %s] and --concurrency in [1, %d]", MaxDuration, MaxConcurrency)
	}
	if inv.rounds < 1 || inv.rounds > maxRounds {
		return inv, fmt.Errorf("--rounds must be in [1, %d]", maxRounds)
	}
	if inv.serverCPU < -1 || inv.serverCPU >= maxCPU {
		return inv, fmt.Errorf("--server-cpu must be in [0, %d)", maxCPU)
	}
	switch inv.opts.peerKind {
	case PeerOther, PeerOP, PeerSQLiteGG:
	default:
		return inv, fmt.Errorf("--peer-kind must be %s, %s or %s", PeerOP, PeerSQLiteGG, PeerOther)
	}
	lines, err := readLines(stdin, 3)
	if err != nil {
		return inv, err
	}
	cfg.ClientSecret = lines[0]
	if len(lines) > 1 {
		cfg.MemberPassword = lines[1]
	}
	if es256ID != "" {
		if len(lines) < 3 {
			return inv, errors.New("--es256-client-id: its secret is stdin's third line (after the client secret and the member's password)")
		}
		cfg.ES256ClientID, cfg.ES256Secret = es256ID, lines[2]
	}
	if cfg.RootCAs, err = loadCA(ca); err != nil {
		return inv, err
	}
	inv.limits = !noLimits
	if peerTarget != "" {
		inv.hasPeer, inv.peer = true, *cfg
		inv.peer.Target, inv.peer.ServerPID, inv.peer.ExtraPIDs, inv.peer.CountBackends = peerTarget, peerPID, nil, false
		if peerCA != "" {
			if inv.peer.RootCAs, err = loadCA(peerCA); err != nil {
				return inv, err
			}
		}
	}
	return inv, nil
}

// report is what --json prints: each side's results and the limits pooled
// over the rounds, with what each round measured.
type report struct {
	Target  []Result `json:"target"`
	Peer    []Result `json:"peer,omitempty"`
	Signing *Limits  `json:"signing_limits,omitempty"`

	Rounds         int          `json:"rounds"`
	LimitsWhere    string       `json:"signing_limits_measured,omitempty"`
	SigningByRound []Limits     `json:"signing_limits_by_round,omitempty"`
	Ratios         []RatioRange `json:"per_core_ratios,omitempty"`
	StealCPU       *int         `json:"steal_of_cpu,omitempty"` // the CPU whose steal time the results carry
}

func (inv invocation) run(ctx context.Context, stdout io.Writer) error {
	rep := report{Rounds: inv.rounds}
	var samples strings.Builder
	round := 0
	if inv.samplesOut != "" {
		samples.WriteString("run,workload,start_us,latency_us,worker,server_cpu_latency_us,round\n")
		inv.target.Samples = sampleWriter(&samples, "target", &round)
		inv.peer.Samples = sampleWriter(&samples, "peer", &round)
	}
	if inv.serverCPU >= 0 {
		if steal := stealClock(inv.serverCPU); steal != nil {
			inv.target.Steal, inv.peer.Steal, rep.StealCPU = steal, steal, &inv.serverCPU
		}
	}
	plan := roundsRun{rounds: inv.rounds, workloads: inv.target.Workloads, startRound: func(r int) { round = r + 1 }}
	var lm *limitMeter
	if inv.limits {
		var err error
		if lm, err = newLimitMeter(inv.serverCPU); err != nil {
			return fmt.Errorf("limits: %w", err)
		}
		plan.measureLimit = lm.measure
	}
	target, err := Prepare(ctx, inv.target)
	if err != nil {
		return fmt.Errorf("target: %w", err)
	}
	defer target.Close()
	plan.workloads, plan.sides = target.Workloads(), []measurer{target}
	if inv.hasPeer {
		peer, err := Prepare(ctx, inv.peer)
		if err != nil {
			return fmt.Errorf("peer: %w", err)
		}
		defer peer.Close()
		plan.sides = append(plan.sides, peer)
	}
	results, limitRounds, err := plan.run(ctx)
	if err != nil {
		return err
	}
	rep.Target = results[0]
	if inv.hasPeer {
		rep.Peer = results[1]
		rep.Ratios = ratioRanges(rep.Target, rep.Peer)
	}
	if len(limitRounds) > 0 {
		rep.LimitsWhere = lm.Where
		l := limits(limitRounds...)
		rep.Signing = &l
		for _, r := range limitRounds {
			rep.SigningByRound = append(rep.SigningByRound, limits(r))
		}
	}
	return inv.write(rep, &samples, stdout)
}

// write writes the report where the flags say.
func (inv invocation) write(rep report, samples *strings.Builder, stdout io.Writer) error {
	if inv.jsonOut != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err == nil {
			err = os.WriteFile(inv.jsonOut, append(b, '\n'), 0o644)
		}
		if err != nil {
			return fmt.Errorf("--json-out: %w", err)
		}
	}
	if inv.samplesOut != "" {
		if err := os.WriteFile(inv.samplesOut, []byte(samples.String()), 0o644); err != nil {
			return fmt.Errorf("--samples-out: %w", err)
		}
	}
	if inv.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		writeReport(stdout, rep, inv.opts)
	}
	return failures(rep)
}

// sampleWriter appends a run's samples to b as CSV lines, with the number
// of the round under way (from 1).
func sampleWriter(b *strings.Builder, run string, round *int) func(string, []Sample) {
	return func(workload string, s []Sample) {
		for _, x := range s {
			fmt.Fprintf(b, "%s,%s,%d,%d,%d,%d,%d\n", run, workload, x.Start.Microseconds(), x.Latency.Microseconds(), x.Worker,
				x.CPULatency.Microseconds(), *round)
		}
	}
}

// failures is an error naming the first workload with errors or no
// requests: a benchmark fails on errors, never on timings.
func failures(rep report) error {
	for _, rs := range [][]Result{rep.Target, rep.Peer} {
		for _, r := range rs {
			if r.Errors > 0 || r.Requests == 0 {
				return fmt.Errorf("workload %s had %d errors and %d requests", r.Workload, r.Errors, r.Requests)
			}
		}
	}
	return nil
}

func loadCA(file string) (*x509.CertPool, error) {
	if file == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("--ca: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--ca: no PEM certificate in %s", file)
	}
	return pool, nil
}

// readLines reads up to n non-empty lines of stdin; the first is required.
func readLines(stdin io.Reader, n int) ([]string, error) {
	if stdin == nil {
		return nil, errors.New("no client secret on stdin: send it as the first line")
	}
	data, err := io.ReadAll(io.LimitReader(stdin, maxStdin))
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
		return nil, errors.New("no client secret on stdin: send it as the first line")
	}
	return out, nil
}
