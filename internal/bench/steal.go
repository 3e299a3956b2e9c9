package bench

import (
	"bytes"
	"os"
	"strconv"
	"time"
)

// Steal time: on a virtual machine, the time a virtual CPU was ready to run
// but the hypervisor ran something else. The kernel counts it per CPU in
// /proc/stat's eighth column; guildgate-bench reads it for the servers' CPU
// around each measured loop, so a run the machine disturbed shows as such.

// stealClock returns a function reading cpu's cumulative steal time, or nil
// where it cannot be read (no /proc/stat, no such CPU, a kernel without the
// column).
func stealClock(cpu int) func() (time.Duration, bool) {
	read := func() (time.Duration, bool) {
		b, err := os.ReadFile("/proc/stat")
		if err != nil {
			return 0, false
		}
		return parseSteal(b, cpu)
	}
	if _, ok := read(); !ok {
		return nil
	}
	return read
}

// parseSteal reads cpu's steal time from /proc/stat's contents: the line
// "cpuN user nice system idle iowait irq softirq steal …", in USER_HZ ticks.
func parseSteal(stat []byte, cpu int) (time.Duration, bool) {
	name := []byte("cpu" + strconv.Itoa(cpu))
	for line := range bytes.Lines(stat) {
		f := bytes.Fields(line)
		if len(f) < 9 || !bytes.Equal(f[0], name) {
			continue
		}
		ticks, err := strconv.ParseUint(string(f[8]), 10, 64)
		if err != nil {
			return 0, false
		}
		return time.Duration(ticks) * time.Second / clockTicks, true
	}
	return 0, false
}
