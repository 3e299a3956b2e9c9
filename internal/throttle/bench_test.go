package throttle

import (
	"context"
	"syscall"
	"testing"
	"time"
)

// BenchmarkSignInBuckets is one successful sign-in's bucket work (Allow,
// then Succeed) on SQLite, each change committed alone or the three of
// each call in one transaction (Atomic, as the server runs it).
func BenchmarkSignInBuckets(b *testing.B) {
	for _, together := range []bool{false, true} {
		name := "alone"
		if together {
			name = "together"
		}
		b.Run(name, func(b *testing.B) {
			l, _, _, tn := newLimiter(b)
			if !together {
				l.Atomic = nil
			}
			ctx := context.Background()
			cpu0 := cpuTime()
			for b.Loop() {
				if _, err := l.Allow(ctx, tn[0], "ann@example.org", "192.0.2.1"); err != nil {
					b.Fatal(err)
				}
				if err := l.Succeed(ctx, tn[0], "ann@example.org", "192.0.2.1"); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e3, "cpu-µs/op")
		})
	}
}

// cpuTime is the process's user and system CPU time: the commits wait for
// the disk, so wall time says little about the work.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime))
}
