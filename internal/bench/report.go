package bench

import (
	"fmt"
	"io"
	"slices"
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
	byRound, steal := hasRounds(results), hasSteal(results)
	if byRound {
		t.head = append(t.head, "per core, rounds min–max")
	}
	if steal {
		t.head = append(t.head, "steal %")
	}
	for _, r := range results {
		row := []string{r.Workload, fmt.Sprint(r.Requests), fmt.Sprintf("%.0f", r.PerSecond),
			ms(r.P50), ms(r.P99), ms(r.Max), fmt.Sprint(r.Errors), cpu(r.CPUPer1000), perCore(r)}
		if byRound {
			row = append(row, spread(r.PerCoreByRound, "%.0f", ""))
		}
		if steal {
			row = append(row, stealPct(r))
		}
		t.rows = append(t.rows, row)
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
		nameB + " req/s", nameB + " per core", nameB + " p50 / p99 / max ms", "req/s ratio", "per-core ratio"}}
	byRound, steal := hasRounds(a), hasSteal(a) || hasSteal(b)
	if byRound {
		t.head = append(t.head, "per-core ratio, rounds min–max")
	}
	if steal {
		t.head = append(t.head, "steal % "+nameA+" / "+nameB)
	}
	t.head = append(t.head, "errors")
	ranges := map[string]RatioRange{}
	for _, rr := range ratioRanges(a, b) {
		ranges[rr.Workload] = rr
	}
	for _, ra := range a {
		rb, ok := byName[ra.Workload]
		if !ok {
			continue
		}
		ratio := "-"
		if rb.PerSecond > 0 {
			ratio = fmt.Sprintf("%.2f×", ra.PerSecond/rb.PerSecond)
		}
		row := []string{ra.Workload, fmt.Sprintf("%.0f", ra.PerSecond), perCore(ra), latencies(ra),
			fmt.Sprintf("%.0f", rb.PerSecond), perCore(rb), latencies(rb), ratio, coreRatio(ra, rb)}
		if byRound {
			row = append(row, spread(ranges[ra.Workload].ByRound, "%.2f", "×"))
		}
		if steal {
			row = append(row, stealPct(ra)+" / "+stealPct(rb))
		}
		t.rows = append(t.rows, append(row, fmt.Sprintf("%d / %d", ra.Errors, rb.Errors)))
	}
	t.write(w, markdown)
}

// hasRounds tells whether results were pooled over more than one round.
func hasRounds(rs []Result) bool {
	return slices.ContainsFunc(rs, func(r Result) bool { return len(r.PerCoreByRound) > 1 })
}

func hasSteal(rs []Result) bool {
	return slices.ContainsFunc(rs, func(r Result) bool { return r.StealPercent != nil })
}

// spread is "min–max" of the positive values of vs, each printed with
// format and unit; "-" when there are none.
func spread(vs []float64, format, unit string) string {
	var pos []float64
	for _, v := range vs {
		if v > 0 {
			pos = append(pos, v)
		}
	}
	if len(pos) == 0 {
		return "-"
	}
	return fmt.Sprintf(format+"–"+format, slices.Min(pos), slices.Max(pos)) + unit
}

func stealPct(r Result) string {
	if r.StealPercent == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f", *r.StealPercent)
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
	writeRunNotes(w, rep, o)
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

// writeRunNotes says how the run was made: its rounds, the limits (where
// they were measured, pooled, and their range over the rounds) and the
// steal time's source.
func writeRunNotes(w io.Writer, rep report, o options) {
	if rep.Rounds > 1 && rep.Peer == nil {
		fmt.Fprintf(w, "%d rounds of every workload, each figure pooling them (rates over their total CPU seconds, percentiles over all their requests)\n", rep.Rounds)
	}
	if rep.Rounds > 1 && rep.Peer != nil {
		fmt.Fprintf(w, "%d rounds: in each, every workload ran on %s and %s back to back, %s first in rounds 1, 3, …, %s first in rounds 2, 4, …; "+
			"each figure pools the rounds (rates over their total CPU seconds, percentiles over all their requests)\n",
			rep.Rounds, o.targetName, o.peerName, o.targetName, o.peerName)
	}
	if rep.StealCPU != nil {
		fmt.Fprintf(w, "steal %%: CPU %d's steal time (/proc/stat) over the measured loops, in percent of their wall time\n", *rep.StealCPU)
	}
	if l := rep.Signing; l != nil {
		where := rep.LimitsWhere
		if where == "" {
			where = "in this run"
		}
		by := func(get func(Limits) float64, format string) string {
			var vs []float64
			for _, r := range rep.SigningByRound {
				vs = append(vs, get(r))
			}
			if s := spread(vs, format, ""); len(vs) > 1 && s != "-" {
				return " (rounds " + s + ")"
			}
			return ""
		}
		fmt.Fprintf(w, "limits on one core, per CPU second, measured %s: RS256 sign %.0f/s%s, ES256 sign %.0f/s%s, argon2id verify (%s) %.1f/s%s\n",
			where, l.RS256PerSecond, by(func(l Limits) float64 { return l.RS256PerSecond }, "%.0f"),
			l.ES256PerSecond, by(func(l Limits) float64 { return l.ES256PerSecond }, "%.0f"),
			l.Argon2id, l.Argon2idPerSecond, by(func(l Limits) float64 { return l.Argon2idPerSecond }, "%.1f"))
	}
	fmt.Fprintln(w)
}
