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
	fmt.Fprintln(tw, "workload\trequests\treq/s\tp50\tp99\terrors\tCPU s/1k req\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%s\t%s\t%d\t%s\t\n", r.Workload, r.Requests, r.PerSecond,
			ms(r.P50), ms(r.P99), r.Errors, cpu(r.CPUPer1000))
	}
	tw.Flush()
	for _, r := range results {
		if r.FirstError != "" {
			fmt.Fprintf(w, "%s: first error: %s\n", r.Workload, r.FirstError)
		}
	}
}

// WriteSideBySide prints two runs of the same workloads (a, then b) with the
// throughput ratio a/b and the CPU ratio b/a (above 1: a is cheaper).
func WriteSideBySide(w io.Writer, nameA string, a []Result, nameB string, b []Result) {
	byName := map[string]Result{}
	for _, r := range b {
		byName[r.Workload] = r
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "workload\t%s req/s\t%s req/s\tratio\t%s p50/p99\t%s p50/p99\t%s CPU s/1k\t%s CPU s/1k\t\n",
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
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%s\t%s/%s\t%s/%s\t%s\t%s\t\n", ra.Workload, ra.PerSecond, rb.PerSecond, ratio,
			ms(ra.P50), ms(ra.P99), ms(rb.P50), ms(rb.P99), cpu(ra.CPUPer1000), cpu(rb.CPUPer1000))
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
