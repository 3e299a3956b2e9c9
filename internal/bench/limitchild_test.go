package bench

import (
	"os"
	"strings"
	"testing"
)

// TestMain lets this test binary stand in for guildgate-bench as the child
// that measures a limit, so the tests run the limits as the command does.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == limitChildArg {
		os.Exit(runLimitChild(os.Args[2:], os.Stdout, os.Stderr))
	}
	limitChild = os.Args[0]
	os.Exit(m.Run())
}

// TestLimitsMeasuredInChild: each limit comes from a child process and
// counts operations over CPU seconds; a child that cannot run sends the
// meter back to measuring in this process, and the report says so.
func TestLimitsMeasuredInChild(t *testing.T) {
	m, err := newLimitMeter(-1)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Where, "fresh guildgate-bench process") {
		t.Errorf("Where = %q, want the child named", m.Where)
	}
	for l := range nLimits {
		got, err := measureInChild(m.child, l, 50e6, -1)
		if err != nil {
			t.Fatalf("%s: %v", limitNames[l], err)
		}
		if got.Ops < 1 || got.Seconds <= 0 {
			t.Errorf("%s: tally %+v, want operations over CPU seconds", limitNames[l], got)
		}
	}
	m.child = os.Args[0] + ".missing"
	if got := m.measure(es256Limit); got.Ops < 1 {
		t.Errorf("fallback tally %+v, want operations", got)
	}
	if m.child != "" || !strings.Contains(m.Where, "the child failed") {
		t.Errorf("after a failed child: child %q, Where %q", m.child, m.Where)
	}
}

// TestLimitChildRefusesBadArguments: the child mode answers a malformed
// request with an error, not a figure.
func TestLimitChildRefusesBadArguments(t *testing.T) {
	for _, args := range [][]string{nil, {"9", "1s", "-1"}, {"0", "soon", "-1"}, {"0", "1s"}} {
		var out, errOut strings.Builder
		if code := runLimitChild(args, &out, &errOut); code == exitOK || out.Len() != 0 {
			t.Errorf("%q: exit %d, output %q", args, code, out.String())
		}
	}
}
