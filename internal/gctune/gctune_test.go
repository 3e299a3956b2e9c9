package gctune

import (
	"runtime/debug"
	"testing"
)

// TestApplyLeavesOperatorSettings: GOGC or GOMEMLIMIT in the environment
// keeps the runtime's own reading of them; without either, Percent holds.
func TestApplyLeavesOperatorSettings(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	for _, tc := range []struct {
		env  map[string]string
		want int
	}{
		{map[string]string{}, Percent},
		{map[string]string{"GOGC": "100"}, 100},
		{map[string]string{"GOMEMLIMIT": "1GiB"}, 100},
	} {
		debug.SetGCPercent(100)
		Apply(func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
		if got := debug.SetGCPercent(100); got != tc.want {
			t.Errorf("env %v: GC percent %d, want %d", tc.env, got, tc.want)
		}
	}
}
