package bench

import (
	"errors"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// pinProcess moves every thread of this process to cpu, and returns a
// function that moves them all back to the CPUs they had. Every thread, not
// only the caller's: work an operation hands to other goroutines runs on
// other threads (x/crypto/argon2 runs each lane segment on a goroutine of
// its own, even with one lane, so a pinned caller did a fourteenth of a
// verification's CPU work), and so does the garbage collector's.
func pinProcess(cpu int) (restore func(), err error) {
	var orig, one unix.CPUSet
	if err := unix.SchedGetaffinity(0, &orig); err != nil {
		return nil, err
	}
	one.Set(cpu)
	if err := setAffinity(&one); err != nil {
		_ = setAffinity(&orig)
		return nil, err
	}
	return func() { _ = setAffinity(&orig) }, nil
}

// setAffinity sets the CPUs of every thread of this process. It goes over
// them twice: a thread started meanwhile by one not yet moved is caught on
// the second pass (one started by a moved thread inherits its CPUs).
func setAffinity(set *unix.CPUSet) error {
	for range 2 {
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return err
		}
		for _, t := range tasks {
			tid, err := strconv.Atoi(t.Name())
			if err != nil {
				continue
			}
			if err := unix.SchedSetaffinity(tid, set); err != nil && !errors.Is(err, unix.ESRCH) { // ESRCH: it exited
				return err
			}
		}
	}
	return nil
}
