package bench

import (
	"fmt"
	"strings"
	"time"
)

// Peer kinds: what the peer of a run is, which decides the issue 11
// targets printed against it.
const (
	PeerOther    = "other"  // no target against the peer (an older Guildgate, say)
	PeerOP       = "op"     // another OpenID Provider (oidc-provider): the per-core ratio targets
	PeerSQLiteGG = "sqlite" // the same Guildgate on SQLite, the target on PostgreSQL: within 70 %
)

// Issue 11's targets, per core.
const (
	es256Target           = 4000.0 // code exchange and refresh with ES256 ID tokens, per second
	rs256Target           = 0.85   // … with RS256 ID tokens: the fraction of the RS256 signing limit
	beyondSignatureTarget = 200.0  // µs a request besides the RS256 signature (beyondSignature)
	loginTarget           = 0.95   // password login: the fraction of the argon2id limit
	pgTarget              = 0.70   // PostgreSQL per core ÷ SQLite per core
	p99Target             = 50 * time.Millisecond
	maxTarget             = 500 * time.Millisecond
)

// peerTargets are issue 11's per-core ratios against another provider.
var peerTargets = []struct {
	workload string
	ratio    float64
}{{Discovery, 3}, {JWKS, 3}, {ClientCredentials, 3}, {Userinfo, 2.5}}

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
			out = append(out, fmt.Sprintf("%s (RS256 ID token): %.0f/s per core = %.0f %% of the RS256 signing limit (target ≥ %.0f %%): %s%s; %s",
				r.Workload, pc, 100*f, 100*rs256Target, met(f >= rs256Target), fractionRange(r, rep, rs256Of), beyondSignature(pc, l.RS256PerSecond)))
		case r.Workload == CodeFlow && l != nil && l.RS256PerSecond > 0:
			out = append(out, fmt.Sprintf("%s (authorize + exchange, RS256 ID token): %.0f/s per core = %.0f %% of the RS256 signing limit (no target of its own)%s",
				r.Workload, pc, 100*pc/l.RS256PerSecond, fractionRange(r, rep, rs256Of)))
		case needsES256Client[r.Workload]:
			out = append(out, fmt.Sprintf("%s (ES256 ID token): %.0f/s per core (target ≥ %.0f/s): %s%s",
				r.Workload, pc, es256Target, met(pc >= es256Target), roundsOf(r.PerCoreByRound, "%.0f", "/s")))
		case r.Workload == Login && l != nil && l.Argon2idPerSecond > 0:
			f := pc / l.Argon2idPerSecond
			out = append(out, fmt.Sprintf("login: %.1f/s per core = %.0f %% of the argon2id limit (target ≥ %.0f %%): %s%s",
				pc, 100*f, 100*loginTarget, met(f >= loginTarget), fractionRange(r, rep, argon2idOf)))
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
	ranges := map[string]RatioRange{}
	for _, rr := range ratioRanges(rep.Target, rep.Peer) {
		ranges[rr.Workload] = rr
	}
	switch o.peerKind {
	case PeerOP:
		for _, t := range peerTargets {
			for _, r := range rep.Target {
				if p, ok := byName[t.workload]; ok && r.Workload == t.workload && r.PerCore() > 0 && p.PerCore() > 0 {
					x := r.PerCore() / p.PerCore()
					out = append(out, fmt.Sprintf("%s: %.2f× %s per core (target ≥ %.1f×): %s%s", t.workload, x, o.peerName, t.ratio,
						met(x >= t.ratio), roundsOf(ranges[t.workload].ByRound, "%.2f", "×")))
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
			s := fmt.Sprintf("%s %.2f×", r.Workload, x)
			if rr := ranges[r.Workload].ByRound; len(rr) > 1 {
				s += " (rounds " + spread(rr, "%.2f", "×") + ")"
			}
			if x >= pgTarget {
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

func rs256Of(l Limits) float64    { return l.RS256PerSecond }
func argon2idOf(l Limits) float64 { return l.Argon2idPerSecond }

// beyondSignature is the CPU a request spends on everything but its RS256
// signature, the target as issue 11 first states it (≤ 200 µs). Its "i.e.
// ≥ 85 %" is the stricter of the two wherever a signature takes under
// 1.13 ms (on the machine, 0.94 ms, 200 µs is 82 %), so the verdict
// stays with the fraction and both are printed.
func beyondSignature(perCore, limit float64) string {
	us := 1e6/perCore - 1e6/limit
	return fmt.Sprintf("everything but the signature %.0f µs a request (issue 11 first states ≤ %.0f µs)", us, beyondSignatureTarget)
}

// fractionRange is "; rounds a–b %": the range over the rounds of each
// round's rate per core as a fraction of the limit measured in that round;
// "" with fewer than two rounds.
func fractionRange(r Result, rep report, limit func(Limits) float64) string {
	if len(r.PerCoreByRound) < 2 || len(rep.SigningByRound) != len(r.PerCoreByRound) {
		return ""
	}
	var fs []float64
	for i, pc := range r.PerCoreByRound {
		if l := limit(rep.SigningByRound[i]); l > 0 {
			fs = append(fs, 100*pc/l)
		}
	}
	return roundsOf(fs, "%.0f", " %")
}

// roundsOf is "; rounds a–b<unit>", or "" for fewer than two values.
func roundsOf(vs []float64, format, unit string) string {
	if len(vs) < 2 {
		return ""
	}
	return "; rounds " + spread(vs, format, unit)
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
