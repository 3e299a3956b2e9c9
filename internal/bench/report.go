package bench

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// WriteTable prints one run's figures, one workload a line.
func WriteTable(w io.Writer, results []Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\trequests\treq/s\tp50\tp99\tmax\terrors\tCPU s/1k req\treq/s per core\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%s\t%s\t%s\t%d\t%s\t%s\t\n", r.Workload, r.Requests, r.PerSecond,
			ms(r.P50), ms(r.P99), ms(r.Max), r.Errors, cpu(r.CPUPer1000), perCore(r))
	}
	tw.Flush()
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
	byName := map[string]Result{}
	for _, r := range b {
		byName[r.Workload] = r
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "workload\t%s req/s\t%s req/s\tratio\t%s p50/p99/max\t%s p50/p99/max\t%s per core\t%s per core\tper-core ratio\t\n",
		nameA, nameB, nameA, nameB, nameA, nameB)
	for _, ra := range a {
		rb, ok := byName[ra.Workload]
		if !ok {
			continue
		}
		ratio := "-"
		if rb.PerSecond > 0 {
			ratio = fmt.Sprintf("%.2f×", ra.PerSecond/rb.PerSecond)
		}
		coreRatio := "-"
		if ra.PerCore() > 0 && rb.PerCore() > 0 {
			coreRatio = fmt.Sprintf("%.2f×", ra.PerCore()/rb.PerCore())
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%s\t%s/%s/%s\t%s/%s/%s\t%s\t%s\t%s\t\n", ra.Workload, ra.PerSecond, rb.PerSecond, ratio,
			ms(ra.P50), ms(ra.P99), ms(ra.Max), ms(rb.P50), ms(rb.P99), ms(rb.Max), perCore(ra), perCore(rb), coreRatio)
	}
	tw.Flush()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

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

// rs256Bound names the workloads whose every request signs one RS256 ID
// token, for which the fraction of the RS256 signing limit is printed.
var rs256Bound = map[string]bool{Refresh: true, CodeExchange: true, CodeFlow: true}

// writeReport prints the signing limits, the target's table and, with a
// peer, both side by side with ratios of throughput and of rate per core.
func writeReport(w io.Writer, rep report) {
	if l := rep.Signing; l != nil {
		fmt.Fprintf(w, "signing limits on one core (this run): RS256 %.0f/s, ES256 %.0f/s\n\n", l.RS256PerSecond, l.ES256PerSecond)
	}
	WriteTable(w, rep.Target)
	if rep.Signing != nil && rep.Signing.RS256PerSecond > 0 {
		for _, r := range rep.Target {
			if rs256Bound[r.Workload] && r.PerCore() > 0 {
				fmt.Fprintf(w, "%s: %.0f/s per core = %.0f%% of the RS256 signing limit\n", r.Workload, r.PerCore(),
					100*r.PerCore()/rep.Signing.RS256PerSecond)
			}
		}
	}
	if rep.Peer != nil {
		fmt.Fprintln(w)
		WriteSideBySide(w, "target", rep.Target, "peer", rep.Peer)
	}
}

func perCore(r Result) string {
	if r.PerCore() == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f", r.PerCore())
}
