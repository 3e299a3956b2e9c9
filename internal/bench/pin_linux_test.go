package bench

import (
	"os"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// TestPinProcess: every thread of the process is moved to the one CPU, a
// thread started meanwhile included, and all are moved back.
func TestPinProcess(t *testing.T) {
	var all unix.CPUSet
	if err := unix.SchedGetaffinity(0, &all); err != nil {
		t.Fatal(err)
	}
	cpu := -1
	for i := range maxCPU {
		if all.IsSet(i) {
			cpu = i // the last CPU this process may use
		}
	}
	restore, err := pinProcess(cpu)
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	go func() { // likely on a new thread, started by a moved one
		defer close(started)
		_ = count(limitTime[rs256Limit]/10, func() error { return nil })
	}()
	<-started
	for tid, set := range threadAffinities(t) {
		if set.Count() != 1 || !set.IsSet(cpu) {
			t.Errorf("thread %d may run on %d CPUs, want CPU %d only", tid, set.Count(), cpu)
		}
	}
	restore()
	for tid, set := range threadAffinities(t) {
		if set != all {
			t.Errorf("thread %d not moved back: %d CPUs, want %d", tid, set.Count(), all.Count())
		}
	}
	if all.IsSet(maxCPU - 1) {
		return
	}
	if restore, err := pinProcess(maxCPU - 1); err == nil {
		restore()
		t.Error("moving to a CPU this process may not use did not fail")
	}
}

func threadAffinities(t *testing.T) map[int]unix.CPUSet {
	t.Helper()
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]unix.CPUSet{}
	for _, task := range tasks {
		tid, _ := strconv.Atoi(task.Name())
		var set unix.CPUSet
		if err := unix.SchedGetaffinity(tid, &set); err == nil {
			out[tid] = set
		}
	}
	return out
}
