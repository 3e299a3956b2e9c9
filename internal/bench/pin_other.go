//go:build !linux

package bench

import "errors"

// pinProcess moves every thread of this process to cpu: Linux only.
func pinProcess(cpu int) (restore func(), err error) {
	return nil, errors.New("moving a process's threads to a CPU is implemented on Linux only")
}
