package main

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestTuneGCLeavesOperatorSettings: GOGC or GOMEMLIMIT in the environment
// keeps the runtime's own reading of them; without either, gcPercent holds.
func TestTuneGCLeavesOperatorSettings(t *testing.T) {
	before, beforeLimit := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64)
	defer func() { debug.SetGCPercent(before); debug.SetMemoryLimit(beforeLimit) }()
	for _, tc := range []struct {
		env       map[string]string
		want      int
		wantLimit bool
	}{
		{map[string]string{}, gcPercent, true},
		{map[string]string{"GOGC": "100"}, 100, false},
		{map[string]string{"GOMEMLIMIT": "1GiB"}, 100, false},
	} {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(math.MaxInt64)
		tuneGC(func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
		if got := debug.SetGCPercent(100); got != tc.want {
			t.Errorf("env %v: GC percent %d, want %d", tc.env, got, tc.want)
		}
		if got := debug.SetMemoryLimit(-1); (got != math.MaxInt64) != tc.wantLimit {
			t.Errorf("env %v: memory limit %d, want one set: %v", tc.env, got, tc.wantLimit)
		}
	}
}

// TestGCMemoryLimitCoversTheHashes: the limit leaves room for two argon2id
// arrays per hash slot beyond the headroom, so concurrent sign-ins do not
// push the collector into running back to back.
func TestGCMemoryLimitCoversTheHashes(t *testing.T) {
	for _, procs := range []int{1, 2, 8, 64} {
		got := gcMemoryLimit(procs)
		hashes := int64(procs) * 19 << 20
		if got != gcHeadroom+2*hashes {
			t.Errorf("%d procs: limit %d MiB, want %d MiB", procs, got>>20, (gcHeadroom+2*hashes)>>20)
		}
	}
	if gcMemoryLimit(1)>>20 != 102 || gcMemoryLimit(8)>>20 != 368 {
		t.Errorf("limits %d and %d MiB at 1 and 8 procs, the figures gcMemoryLimit's comment gives", gcMemoryLimit(1)>>20, gcMemoryLimit(8)>>20)
	}
}
