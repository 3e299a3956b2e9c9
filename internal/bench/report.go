package bench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// table is rows of cells, printed aligned for a terminal or as Markdown
// (for docs/benchmarks.md): the first column left, the others right.
type table struct {
	head []string
	rows [][]string
}

func (t table) write(w io.Writer, markdown bool) {
	if markdown {
		fmt.Fprintf(w, "| %s |\n|---|%s\n", strings.Join(t.head, " | "), strings.Repeat("---:|", len(t.head)-1))
		for _, r := range t.rows {
			fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
		}
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, r := range append([][]string{t.head}, t.rows...) {
		fmt.Fprintf(tw, "%s\t\n", strings.Join(r, "\t"))
	}
	tw.Flush()
}

// WriteTable prints one run's figures, one workload a line.
func WriteTable(w io.Writer, results []Result) { writeTable(w, results, false) }

func writeTable(w io.Writer, results []Result, markdown bool) {
	t := table{head: []string{"workload", "requests", "req/s", "p50", "p99", "max", "errors", "CPU s/1k req", "req/s per core"}}
	for _, r := range results {
		t.rows = append(t.rows, []string{r.Workload, fmt.Sprint(r.Requests), fmt.Sprintf("%.0f", r.PerSecond),
			ms(r.P50), ms(r.P99), ms(r.Max), fmt.Sprint(r.Errors), cpu(r.CPUPer1000), perCore(r)})
	}
	t.write(w, markdown)
	for _, r := range results {
		if r.FirstError != "" {
			fmt.Fprintf(w, "%s: first error: %s\n", r.Workload, r.FirstError)
		}
	}
}

// WriteSideBySide prints two runs of the same workloads (a, then b) with the
// throughput ratio a/b and the ratio of rates per core a/b (above 1: a does
// more work per CPU second).
func WriteSideBySide(w io.Writer, nameA string, a []Result, nameB string, b []Result) {
	writeSideBySide(w, nameA, a, nameB, b, false)
}

func writeSideBySide(w io.Writer, nameA string, a []Result, nameB string, b []Result, markdown bool) {
	byName := map[string]Result{}
	for _, r := range b {
		byName[r.Workload] = r
	}
	t := table{head: []string{"workload", nameA + " req/s", nameA + " per core", nameA + " p50 / p99 / max ms",
		nameB + " req/s", nameB + " per core", nameB + " p50 / p99 / max ms", "req/s ratio", "per-core ratio", "errors"}}
	for _, ra := range a {
		rb, ok := byName[ra.Workload]
		if !ok {
			continue
		}
		ratio := "-"
		if rb.PerSecond > 0 {
			ratio = fmt.Sprintf("%.2f×", ra.PerSecond/rb.PerSecond)
		}
		t.rows = append(t.rows, []string{ra.Workload, fmt.Sprintf("%.0f", ra.PerSecond), perCore(ra), latencies(ra),
			fmt.Sprintf("%.0f", rb.PerSecond), perCore(rb), latencies(rb), ratio, coreRatio(ra, rb),
			fmt.Sprintf("%d / %d", ra.Errors, rb.Errors)})
	}
	t.write(w, markdown)
}

func coreRatio(a, b Result) string {
	if a.PerCore() > 0 && b.PerCore() > 0 {
		return fmt.Sprintf("%.2f×", a.PerCore()/b.PerCore())
	}
	return "-"
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

// latencies is "p50 / p99 / max" in milliseconds, to three figures.
func latencies(r Result) string {
	f := func(d time.Duration) string {
		v := float64(d) / float64(time.Millisecond)
		switch {
		case v >= 100:
			return fmt.Sprintf("%.0f", v)
		case v >= 10:
			return fmt.Sprintf("%.1f", v)
		}
		return fmt.Sprintf("%.2f", v)
	}
	return f(r.P50) + " / " + f(r.P99) + " / " + f(r.Max)
}

func cpu(v float64) string {
	if v == 0 {
		return "-"
	}
	return fmt.Sprintf("%.3f", v)
}

// PerCore is the workload's rate per server core: requests per CPU second
// of the server (and its database, when its pids were given). 0 when the
// CPU was not measured.
func (r Result) PerCore() float64 {
	if r.CPUPer1000 <= 0 {
		return 0
	}
	return 1000 / r.CPUPer1000
}

func perCore(r Result) string {
	if r.PerCore() == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f", r.PerCore())
}

// Peer kinds: what the peer of a run is, which decides the issue 11
// targets printed against it.
const (
	PeerOther    = "other"  // no target against the peer (an older Guildgate, say)
	PeerOP       = "op"     // another OpenID Provider (oidc-provider): the per-core ratio targets
	PeerSQLiteGG = "sqlite" // the same Guildgate on SQLite, the target on PostgreSQL: within 70 %
)

// Issue 11's targets, per core.
const (
	es256Target = 4000.0 // code exchange and refresh with ES256 ID tokens, per second
	rs256Target = 0.85   // … with RS256 ID tokens: the fraction of the RS256 signing limit
	loginTarget = 0.95   // password login: the fraction of the argon2id limit
	pgTarget    = 0.70   // PostgreSQL per core ÷ SQLite per core
	p99Target   = 50 * time.Millisecond
	maxTarget   = 500 * time.Millisecond
)

// peerTargets are issue 11's per-core ratios against another provider.
var peerTargets = []struct {
	workload string
	ratio    float64
}{{Discovery, 3}, {JWKS, 3}, {ClientCredentials, 3}, {Userinfo, 2.5}}

// options are how a report is printed.
type options struct {
	markdown             bool
	targetName, peerName string
	peerKind             string
}

// writeReport prints the limits, the target's table (and notes on how its
// CPU was counted), with a peer both side by side, then the run against
// issue 11's targets.
func writeReport(w io.Writer, rep report, o options) {
	if l := rep.Signing; l != nil {
		fmt.Fprintf(w, "limits on one core, per CPU second (this run): RS256 sign %.0f/s, ES256 sign %.0f/s, argon2id verify (%s) %.1f/s\n\n",
			l.RS256PerSecond, l.ES256PerSecond, l.Argon2id, l.Argon2idPerSecond)
	}
	fmt.Fprintf(w, "%s:\n\n", o.targetName)
	writeTable(w, rep.Target, o.markdown)
	writeCPUNotes(w, o.targetName, rep.Target)
	writeCPULatencies(w, o.targetName, rep.Target)
	if rep.Peer != nil {
		fmt.Fprintf(w, "\n%s:\n\n", o.peerName)
		writeTable(w, rep.Peer, o.markdown)
		writeCPUNotes(w, o.peerName, rep.Peer)
		writeCPULatencies(w, o.peerName, rep.Peer)
		fmt.Fprintln(w)
		writeSideBySide(w, o.targetName, rep.Target, o.peerName, rep.Peer, o.markdown)
	}
	fmt.Fprintf(w, "\nagainst issue 11's targets (%s, per core, this run):\n", o.targetName)
	for _, line := range targetLines(rep, o) {
		fmt.Fprintln(w, "- "+line)
	}
}

// writeCPULatencies prints, when they were measured, the percentiles of
// the server CPU latency (Result.CPUP50): a tail the server makes itself
// shows there even when the machine's other load blurs the wall latencies.
func writeCPULatencies(w io.Writer, name string, rs []Result) {
	var parts []string
	for _, r := range rs {
		if r.CPUP50 > 0 {
			parts = append(parts, fmt.Sprintf("%s %s / %s / %s", r.Workload, ms(r.CPUP50), ms(r.CPUP99), ms(r.CPUMax)))
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(w, "%s server CPU latency p50 / p99 / max: %s\n", name, strings.Join(parts, "; "))
	}
}

// writeCPUNotes says how many processes each workload's CPU counts, and
// which were replaced during it, or why it was not measured.
func writeCPUNotes(w io.Writer, name string, rs []Result) {
	for _, r := range rs {
		switch {
		case r.CPUError != "":
			fmt.Fprintf(w, "%s %s: CPU not measured, no per-core figure: %s\n", name, r.Workload, r.CPUError)
		case r.Processes > 1:
			fmt.Fprintf(w, "%s %s: CPU of %d processes counted", name, r.Workload, r.Processes)
			if r.Exited > 0 || r.Appeared > 0 {
				fmt.Fprintf(w, "; %d exited during the run (counted up to their last sample, at most %s before), %d started (counted from their start)",
					r.Exited, sampleEvery, r.Appeared)
			}
			fmt.Fprintln(w)
		}
	}
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// targetLines judges the target's figures against issue 11's targets;
// only what this run measured is judged.
func targetLines(rep report, o options) []string {
	var out []string
	l := rep.Signing
	byName := map[string]Result{}
	for _, r := range rep.Peer {
		byName[r.Workload] = r
	}
	var tailOK, tailBad []string
	for _, r := range rep.Target {
		pc := r.PerCore()
		switch {
		case pc == 0:
		case (r.Workload == CodeExchange || r.Workload == Refresh) && l != nil && l.RS256PerSecond > 0:
			f := pc / l.RS256PerSecond
			out = append(out, fmt.Sprintf("%s (RS256 ID token): %.0f/s per core = %.0f %% of the RS256 signing limit (target ≥ %.0f %%): %s",
				r.Workload, pc, 100*f, 100*rs256Target, met(f >= rs256Target)))
		case r.Workload == CodeFlow && l != nil && l.RS256PerSecond > 0:
			out = append(out, fmt.Sprintf("%s (authorize + exchange, RS256 ID token): %.0f/s per core = %.0f %% of the RS256 signing limit (no target of its own)",
				r.Workload, pc, 100*pc/l.RS256PerSecond))
		case needsES256Client[r.Workload]:
			out = append(out, fmt.Sprintf("%s (ES256 ID token): %.0f/s per core (target ≥ %.0f/s): %s",
				r.Workload, pc, es256Target, met(pc >= es256Target)))
		case r.Workload == Login && l != nil && l.Argon2idPerSecond > 0:
			f := pc / l.Argon2idPerSecond
			out = append(out, fmt.Sprintf("login: %.1f/s per core = %.0f %% of the argon2id limit (target ≥ %.0f %%): %s",
				pc, 100*f, 100*loginTarget, met(f >= loginTarget)))
		}
		if r.Workload != Login && r.Requests > 0 {
			if r.P99 <= p99Target && r.Max <= maxTarget {
				tailOK = append(tailOK, r.Workload)
			} else {
				tailBad = append(tailBad, fmt.Sprintf("%s (%s)", r.Workload, latencies(r)))
			}
		}
	}
	if len(tailOK)+len(tailBad) > 0 {
		out = append(out, fmt.Sprintf("p99 ≤ %s and max ≤ %s (all but login): met by %s; NOT met by %s",
			p99Target, maxTarget, orNone(tailOK), orNone(tailBad)))
	}
	switch o.peerKind {
	case PeerOP:
		for _, t := range peerTargets {
			for _, r := range rep.Target {
				if p, ok := byName[t.workload]; ok && r.Workload == t.workload && r.PerCore() > 0 && p.PerCore() > 0 {
					x := r.PerCore() / p.PerCore()
					out = append(out, fmt.Sprintf("%s: %.2f× %s per core (target ≥ %.1f×): %s", t.workload, x, o.peerName, t.ratio, met(x >= t.ratio)))
				}
			}
		}
	case PeerSQLiteGG:
		var ok, bad []string
		for _, r := range rep.Target {
			p, found := byName[r.Workload]
			if !found || r.PerCore() == 0 || p.PerCore() == 0 {
				continue
			}
			x := r.PerCore() / p.PerCore()
			if s := fmt.Sprintf("%s %.2f×", r.Workload, x); x >= pgTarget {
				ok = append(ok, s)
			} else {
				bad = append(bad, s)
			}
		}
		out = append(out, fmt.Sprintf("per core within %.0f %% of %s (its database's CPU counted): met by %s; NOT met by %s",
			100*pgTarget, o.peerName, orNone(ok), orNone(bad)))
	}
	return out
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
