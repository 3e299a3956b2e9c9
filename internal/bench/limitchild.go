package bench

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// A limit is measured in a process of its own: this binary run again with
// limitChildArg. In guildgate-bench's own process each of argon2id's
// 19 MiB allocations starts a garbage collection that marks the whole
// heap of the load generator (every request's sample, every connection),
// a cost no server's sign-in pays, and one that grows round by round as
// samples pile up: in a three-round run measured in-process the argon2id
// limit fell to 27.6-37.9 verifications a second while the server verified
// 41.9 a second per core, sign-ins and all. A fresh process has only the
// operation's own garbage, at the server's collector setting (gctune).

// limitChildArg, as the first argument, makes Main measure one limit and
// print it instead of running a benchmark.
const limitChildArg = "__measure-limit"

// limitChild is the executable that measures a limit in a process of its
// own: guildgate-bench itself, found at start; empty (under another
// binary, such as a test that did not ask for it) measures in this process.
var limitChild = selfIfBench()

func selfIfBench() string {
	exe, err := os.Executable()
	if err != nil || filepath.Base(exe) != "guildgate-bench" {
		return ""
	}
	return exe
}

// measureInChild runs limit l for d in a child process of exe moved to cpu
// (none when cpu < 0) and returns its tally.
func measureInChild(exe string, l limit, d time.Duration, cpu int) (tally, error) {
	var out, errOut bytes.Buffer
	cmd := exec.Command(exe, limitChildArg, strconv.Itoa(int(l)), d.String(), strconv.Itoa(cpu))
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return tally{}, fmt.Errorf("%v: %s", err, bytes.TrimSpace(errOut.Bytes()))
	}
	var t tally
	if _, err := fmt.Sscanf(out.String(), "%d %g", &t.Ops, &t.Seconds); err != nil || t.Ops <= 0 || t.Seconds <= 0 {
		return tally{}, fmt.Errorf("unexpected output %q", out.String())
	}
	return t, nil
}

// runLimitChild is Main in a child: args are the limit, the duration and
// the CPU to move to (-1: none). It prepares the operation (untimed), runs
// it for a tenth of the duration to warm up (the heap growing to hold
// argon2id's 19 MiB, pages faulted in: one-offs no running server pays
// per sign-in), then counts it for the duration and prints the operations
// and the CPU seconds they took.
func runLimitChild(args []string, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintln(stderr, "guildgate-bench "+limitChildArg+":", err)
		return exitError
	}
	if len(args) != 3 {
		return fail(fmt.Errorf("want a limit, a duration and a CPU, got %q", args))
	}
	n, err1 := strconv.Atoi(args[0])
	d, err2 := time.ParseDuration(args[1])
	cpu, err3 := strconv.Atoi(args[2])
	if err1 != nil || err2 != nil || err3 != nil || n < 0 || n >= int(nLimits) || d <= 0 {
		return fail(fmt.Errorf("bad arguments %q", args))
	}
	if cpu >= 0 {
		if _, err := pinProcess(cpu); err != nil {
			return fail(fmt.Errorf("move to CPU %d: %w", cpu, err))
		}
	}
	op, err := limitOp(limit(n))
	if err != nil {
		return fail(err)
	}
	if count(d/10, op).Ops == 0 {
		return fail(fmt.Errorf("limit %d failed", n))
	}
	t := count(d, op)
	if t.Ops == 0 {
		return fail(fmt.Errorf("limit %d failed", n))
	}
	fmt.Fprintf(stdout, "%d %g\n", t.Ops, t.Seconds)
	return exitOK
}
