package bench

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

// fakeSide is a provider whose every run of a workload does requests
// requests in one second of wall time at perCore requests per CPU second,
// with latencies 1 ms … requests ms, and logs the run.
type fakeSide struct {
	name    string
	log     *[]string
	perCore map[string][]float64 // per workload, per round (the call count)
	calls   map[string]int
}

func (f *fakeSide) Measure(_ context.Context, w string) Result {
	*f.log = append(*f.log, f.name+" "+w)
	round := f.calls[w]
	f.calls[w]++
	return roundResult(w, 100, f.perCore[w][round], time.Millisecond)
}

// roundResult is one round's result of n requests over one second, at
// perCore per CPU second, with latencies step, 2 step, … n step.
func roundResult(w string, n int, perCore float64, step time.Duration) Result {
	var lat []time.Duration
	for i := 1; i <= n; i++ {
		lat = append(lat, time.Duration(i)*step)
	}
	cpuSeconds := float64(n) / perCore
	return Result{Workload: w, Requests: int64(n), Seconds: 1, PerSecond: float64(n), P50: percentile(lat, 0.5),
		P99: percentile(lat, 0.99), Max: lat[n-1], CPUPer1000: cpuSeconds / float64(n) * 1000,
		raw: rawRun{lat: lat, cpuSeconds: cpuSeconds}}
}

// TestRoundsAlternateAndMeasureLimitsNearTheirWorkloads: in each round every
// workload runs on both sides back to back, the target first in the first
// round and the peer first in the second; each limit is measured once a
// round, just before the first workload judged against it, and one no
// workload uses at the round's end.
func TestRoundsAlternateAndMeasureLimitsNearTheirWorkloads(t *testing.T) {
	var log []string
	per := map[string][]float64{Discovery: {100, 100, 100}, Refresh: {100, 100, 100}, Login: {100, 100, 100}}
	target := &fakeSide{name: "target", log: &log, perCore: per, calls: map[string]int{}}
	peer := &fakeSide{name: "peer", log: &log, perCore: per, calls: map[string]int{}}
	names := [nLimits]string{rs256Limit: "RS256", es256Limit: "ES256", argon2idLimit: "argon2id"}
	p := roundsRun{rounds: 3, workloads: []string{Discovery, Refresh, Login}, sides: []measurer{target, peer},
		measureLimit: func(l limit) tally {
			log = append(log, "limit "+names[l])
			return tally{Ops: 10, Seconds: 1}
		},
		startRound: func(r int) { log = append(log, "round") },
	}
	results, limitRounds, err := p.run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	round := func(first, second string) []string {
		return []string{"round", first + " discovery", second + " discovery", "limit RS256", first + " refresh", second + " refresh",
			"limit argon2id", first + " login", second + " login", "limit ES256"}
	}
	want := slices.Concat(round("target", "peer"), round("peer", "target"), round("target", "peer"))
	if !slices.Equal(log, want) {
		t.Errorf("runs in this order:\n%s\nwant:\n%s", strings.Join(log, "\n"), strings.Join(want, "\n"))
	}
	if len(limitRounds) != 3 || len(results) != 2 || len(results[0]) != 3 || results[1][2].Workload != Login ||
		results[0][0].Requests != 300 || results[1][1].Rounds != 3 {
		t.Errorf("want 3 rounds of limits and each side's 3 workloads pooled over 3 rounds: %d, %+v", len(limitRounds), results)
	}
	// Without a peer, one side; without limits, none measured.
	log = nil
	target.calls = map[string]int{}
	p = roundsRun{rounds: 2, workloads: []string{Discovery}, sides: []measurer{target}}
	if _, lr, err := p.run(context.Background()); err != nil || lr != nil ||
		!slices.Equal(log, []string{"target discovery", "target discovery"}) {
		t.Errorf("one side: %v, %v, %v", log, lr, err)
	}
}

// TestPoolRounds: rounds pool into one figure per workload and side: the
// rate per core over all rounds' requests and CPU seconds (not the mean of
// the rounds' rates), percentiles and max over every request, steal over
// the total time; and each round's rate per core is kept.
func TestPoolRounds(t *testing.T) {
	a := roundResult(Userinfo, 100, 1000, time.Millisecond)   // 0.1 CPU s, latencies 1..100 ms
	b := roundResult(Userinfo, 300, 3000, time.Millisecond)   // 0.1 CPU s, 1..300 ms
	c := roundResult(Userinfo, 100, 500, 10*time.Millisecond) // 0.2 CPU s, 10..1000 ms
	steal := func(r Result, d time.Duration) Result { r.raw.steal, r.raw.stealOK = d, true; return r }
	a, b, c = steal(a, 30*time.Millisecond), steal(b, 0), steal(c, 60*time.Millisecond)
	p := pool([]Result{a, b, c})
	if p.Requests != 500 || p.Seconds != 3 || p.PerSecond < 166.6 || p.PerSecond > 166.7 || p.Rounds != 3 {
		t.Errorf("pooled requests %d over %.1f s (%.1f/s), %d rounds; want 500 over 3 s, 3 rounds", p.Requests, p.Seconds, p.PerSecond, p.Rounds)
	}
	if pc := p.PerCore(); pc < 1249.9 || pc > 1250.1 { // 500 requests / 0.4 CPU s
		t.Errorf("pooled per core %.1f, want 1250 (all requests over all CPU seconds)", pc)
	}
	if r := p.PerCoreByRound; len(r) != 3 || r[0] != 1000 || r[1] < 2999.9 || r[1] > 3000.1 || r[2] != 500 {
		t.Errorf("per core by round %v", p.PerCoreByRound)
	}
	// 500 latencies: 1..100 ms, 1..300 ms, 10..1000 ms by 10; the 250th
	// is 137 ms (100 + 137 + 13 are at most that).
	if p.Max != time.Second || p.P50 != 137*time.Millisecond {
		t.Errorf("pooled p50 %s, max %s; want 137ms and 1s (over every request)", p.P50, p.Max)
	}
	if p.StealPercent == nil || *p.StealPercent < 2.99 || *p.StealPercent > 3.01 {
		t.Errorf("pooled steal %v, want 3 %% (90 ms over 3 s)", p.StealPercent)
	}
	// A round without a per-core figure or steal time: the pooled figure has neither.
	c.CPUPer1000, c.raw.cpuSeconds, c.CPUError, c.raw.stealOK = 0, 0, "the server (pid 1) exited during the run", false
	p = pool([]Result{a, b, c})
	if p.PerCore() != 0 || p.StealPercent != nil || p.CPUError == "" {
		t.Errorf("a round without CPU or steal: pooled per core %.0f, steal %v, CPU error %q", p.PerCore(), p.StealPercent, p.CPUError)
	}
	// One round is itself.
	if p := pool([]Result{a}); p.Rounds != 0 || p.PerCoreByRound != nil || p.Requests != 100 {
		t.Errorf("one round pooled into %+v", p)
	}
}

// TestRatioRanges: each workload's per-core ratio, pooled and per round,
// and the report prints the range next to the ratio and the limits'.
func TestRatioRanges(t *testing.T) {
	ms := time.Millisecond
	side := func(perCore ...float64) Result {
		var rs []Result
		for _, pc := range perCore {
			rs = append(rs, roundResult(CodeExchange, 100, pc, ms))
		}
		return pool(rs)
	}
	target, peer := side(800, 1000, 900), side(1000, 800, 900)
	rr := ratioRanges([]Result{target}, []Result{peer})
	if len(rr) != 1 || rr[0].Min != 0.8 || rr[0].Max != 1.25 || rr[0].Pooled < 0.99 || rr[0].Pooled > 1.01 || len(rr[0].ByRound) != 3 {
		t.Fatalf("ratio ranges %+v; want pooled 1.00, rounds 0.80–1.25", rr)
	}
	one := 1.5
	target.StealPercent = &one
	rep := report{Rounds: 3, Target: []Result{target}, Peer: []Result{peer},
		Signing:        &Limits{RS256PerSecond: 1000},
		SigningByRound: []Limits{{RS256PerSecond: 1000}, {RS256PerSecond: 1000}, {RS256PerSecond: 750}},
		LimitsWhere:    "on CPU 0", StealCPU: new(int)}
	var b bytes.Buffer
	writeReport(&b, rep, options{markdown: true, targetName: "now", peerName: "then", peerKind: PeerOther})
	for _, want := range []string{
		"3 rounds: in each, every workload ran on now and then back to back",
		"measured on CPU 0: RS256 sign 1000/s (rounds 750–1000),",
		"| per-core ratio, rounds min–max | steal % now / then | errors |",
		"| 1.00× | 0.80–1.25× | 1.5 / - | 0 / 0 |",
		"| per core, rounds min–max | steal % |",
		"| 800–1000 | 1.5 |",
		// 300 requests over 0.125 + 0.1 + 0.111 CPU s; rounds 800/1000, 1000/1000, 900/750.
		"code_exchange (RS256 ID token): 893/s per core = 89 % of the RS256 signing limit (target ≥ 85 %): met; rounds 80–120 %",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	rep.Peer = nil
	writeReport(&b, rep, options{targetName: "now"})
	if want := "3 rounds of every workload, each figure pooling them"; !strings.Contains(b.String(), want) {
		t.Errorf("report without a peer lacks %q:\n%s", want, b.String())
	}
}

// TestParseSteal reads the eighth column of a CPU's /proc/stat line.
func TestParseSteal(t *testing.T) {
	stat := []byte("cpu  29724 0 8696 20488 768 0 129 51 0 0\ncpu0 14294 0 3923 11597 73 0 21 24 0 0\ncpu1 15429 0 4773 8890 695 0 108 26 0 0\nintr 1\n")
	if d, ok := parseSteal(stat, 1); !ok || d != 260*time.Millisecond {
		t.Errorf("cpu1 steal %s %v, want 260ms", d, ok)
	}
	if _, ok := parseSteal(stat, 2); ok {
		t.Error("cpu2 is not there, yet its steal was read")
	}
	if _, ok := parseSteal([]byte("cpu0 1 2 3 4\n"), 0); ok {
		t.Error("a line without the steal column was read")
	}
}
