package bench

import (
	"context"
	"slices"
	"time"
)

// Rounds. On a shared virtual machine the rate per core of the same code
// moves by up to a third between invocations, and within one over a few
// seconds: measuring all of the target's workloads, then all of the
// peer's, lets a slow patch land on one side only. So guildgate-bench runs
// --rounds rounds; in each, every workload runs on both sides back to back,
// the side that goes first alternating from round to round, and the
// limits it is judged against are measured just before it. Each side's
// rounds of a workload are then pooled into one figure (pool).

// measurer is a provider ready to be measured: a *Session, or a test's fake.
type measurer interface {
	Measure(ctx context.Context, workload string) Result
}

// sideOrder is the order in which round i runs its sides (0 the target, 1
// the peer): the target first in even rounds, the peer first in odd ones,
// so that a drift over the run (the machine slowing down, a neighbour
// arriving) weighs on both sides alike instead of on the one that runs
// later.
func sideOrder(round, sides int) []int {
	if sides < 2 {
		return []int{0}
	}
	if round%2 == 1 {
		return []int{1, 0}
	}
	return []int{0, 1}
}

// roundsRun is one invocation's plan.
type roundsRun struct {
	rounds    int
	workloads []string
	sides     []measurer // the target, then the peer if any
	// measureLimit, when set, measures one limit once (see limitOf); every
	// limit is measured once per round, before the first workload judged
	// against it, or at the round's end if none is.
	measureLimit func(limit) tally
	// startRound, when set, is told each round's number before it runs.
	startRound func(round int)
}

// run runs the rounds and returns, per side, each workload's rounds pooled
// (in workload order), and each round's limits.
func (p roundsRun) run(ctx context.Context) ([][]Result, []limitRound, error) {
	byRound := make([][][]Result, len(p.sides)) // [side][workload][round]
	for s := range byRound {
		byRound[s] = make([][]Result, len(p.workloads))
	}
	var limits []limitRound
	for round := range p.rounds {
		if p.startRound != nil {
			p.startRound(round)
		}
		var lr limitRound
		var measured [nLimits]bool
		measure := func(l limit) {
			if p.measureLimit != nil && !measured[l] {
				lr[l], measured[l] = p.measureLimit(l), true
			}
		}
		for w, name := range p.workloads {
			if l, ok := limitOf(name); ok {
				measure(l)
			}
			for _, s := range sideOrder(round, len(p.sides)) {
				if err := ctx.Err(); err != nil {
					return nil, nil, err
				}
				byRound[s][w] = append(byRound[s][w], p.sides[s].Measure(ctx, name))
			}
		}
		for l := range nLimits {
			measure(l)
		}
		if p.measureLimit != nil {
			limits = append(limits, lr)
		}
	}
	out := make([][]Result, len(p.sides))
	for s := range byRound {
		for _, rs := range byRound[s] {
			out[s] = append(out[s], pool(rs))
		}
	}
	return out, limits, nil
}

// pool is one workload's rounds on one side as one result: requests and
// errors summed; req/s and the rate per core over the rounds' total time
// and CPU seconds (so a round that did more work weighs more, as it
// should); percentiles and max over every request of every round; steal
// over the total time. A per-core (or steal, or CPU latency) figure is
// given only when every round has it. One round is returned as it is.
func pool(rs []Result) Result {
	if len(rs) == 1 {
		return rs[0]
	}
	out := Result{Workload: rs[0].Workload, Rounds: len(rs)}
	var lat, cpuLat []time.Duration
	var cpuSeconds float64
	var steal time.Duration
	cpuOK, cpuLatOK, stealOK := true, true, true
	for _, r := range rs {
		out.Requests += r.Requests
		out.Errors += r.Errors
		out.Seconds += r.Seconds
		if out.FirstError == "" {
			out.FirstError = r.FirstError
		}
		lat = append(lat, r.raw.lat...)
		cpuLat = append(cpuLat, r.raw.cpuLat...)
		cpuLatOK = cpuLatOK && (len(r.raw.cpuLat) == len(r.raw.lat))
		cpuSeconds += r.raw.cpuSeconds
		cpuOK = cpuOK && r.CPUPer1000 > 0
		if out.CPUError == "" {
			out.CPUError = r.CPUError
		}
		out.Processes = max(out.Processes, r.Processes)
		out.Exited += r.Exited
		out.Appeared += r.Appeared
		steal += r.raw.steal
		stealOK = stealOK && r.raw.stealOK
		out.PerCoreByRound = append(out.PerCoreByRound, r.PerCore())
	}
	if out.Seconds > 0 {
		out.PerSecond = float64(out.Requests) / out.Seconds
	}
	slices.Sort(lat)
	out.P50, out.P90, out.P99 = percentile(lat, 0.50), percentile(lat, 0.90), percentile(lat, 0.99)
	out.P999, out.Max = percentile(lat, 0.999), percentile(lat, 1)
	if cpuLatOK && len(cpuLat) > 0 {
		slices.Sort(cpuLat)
		out.CPUP50, out.CPUP99, out.CPUMax = percentile(cpuLat, 0.50), percentile(cpuLat, 0.99), percentile(cpuLat, 1)
	}
	if cpuOK && out.Requests > 0 {
		out.CPUPer1000 = cpuSeconds / float64(out.Requests) * 1000
	}
	if stealOK && out.Seconds > 0 {
		pct := 100 * steal.Seconds() / out.Seconds
		out.StealPercent = &pct
	}
	out.raw = rawRun{lat: lat, cpuSeconds: cpuSeconds, steal: steal, stealOK: stealOK}
	if cpuLatOK {
		out.raw.cpuLat = cpuLat
	}
	return out
}

// RatioRange is one workload's ratio of rates per core, target ÷ peer:
// pooled, and its range over the rounds (each round's target against the
// same round's peer), which shows how much of a ratio is noise.
type RatioRange struct {
	Workload string    `json:"workload"`
	Pooled   float64   `json:"per_core_ratio"`
	Min      float64   `json:"min_of_rounds"`
	Max      float64   `json:"max_of_rounds"`
	ByRound  []float64 `json:"by_round"`
}

// ratioRanges pairs the target's and the peer's pooled results by workload;
// a workload without a per-core figure on either side is left out, and so
// is a round without one on either side from the range.
func ratioRanges(target, peer []Result) []RatioRange {
	var out []RatioRange
	for _, t := range target {
		i := slices.IndexFunc(peer, func(p Result) bool { return p.Workload == t.Workload })
		if i < 0 || t.PerCore() == 0 || peer[i].PerCore() == 0 {
			continue
		}
		p := peer[i]
		rr := RatioRange{Workload: t.Workload, Pooled: t.PerCore() / p.PerCore()}
		tr, pr := t.PerCoreByRound, p.PerCoreByRound
		if len(tr) == 0 { // one round
			tr, pr = []float64{t.PerCore()}, []float64{p.PerCore()}
		}
		for r := range min(len(tr), len(pr)) {
			if tr[r] > 0 && pr[r] > 0 {
				rr.ByRound = append(rr.ByRound, tr[r]/pr[r])
			}
		}
		if len(rr.ByRound) > 0 {
			rr.Min, rr.Max = slices.Min(rr.ByRound), slices.Max(rr.ByRound)
		}
		out = append(out, rr)
	}
	return out
}
