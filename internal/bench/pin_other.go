//go:build !linux

package bench

import "errors"

// pinThread restricts the calling OS thread to cpu: Linux only.
func pinThread(cpu int) error {
	return errors.New("pinning a thread to a CPU is implemented on Linux only")
}
