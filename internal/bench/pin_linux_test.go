package bench

import (
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TestPinnedThread: the function runs on a thread allowed on that one CPU
// only, and on it; the caller's thread keeps its own set.
func TestPinnedThread(t *testing.T) {
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
	var inside unix.CPUSet
	var ranOn int
	err := onPinnedThread(cpu, func() {
		_ = unix.SchedGetaffinity(0, &inside)
		var c, node uint32
		_, _, _ = unix.Syscall(unix.SYS_GETCPU, uintptr(unsafe.Pointer(&c)), uintptr(unsafe.Pointer(&node)), 0)
		ranOn = int(c)
	})
	if err != nil {
		t.Fatal(err)
	}
	if inside.Count() != 1 || !inside.IsSet(cpu) || ranOn != cpu {
		t.Errorf("ran on CPU %d with %d CPUs allowed; want CPU %d only", ranOn, inside.Count(), cpu)
	}
	if err := onPinnedThread(maxCPU-1, func() {}); err == nil && !all.IsSet(maxCPU-1) {
		t.Error("pinning to a CPU this process may not use did not fail")
	}
}
