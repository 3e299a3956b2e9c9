package bench

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The server's CPU over one measured loop: the server process, the pids
// given as its database's (PostgreSQL's WAL writer, checkpointer, …) and,
// when asked, every PostgreSQL backend serving one of the server's own
// connections, found while the loop runs. A pool may replace a connection
// mid-run: reading each process only before and after would then lose the
// backend that exited (its CPU can no longer be read) and miss the one that
// replaced it. So the meter samples every process every sampleEvery, keeps
// the last reading of one that exits, and counts one that appears from its
// birth.

// sampleEvery bounds what an exiting process's CPU can go uncounted: what it
// used after its last sample.
const sampleEvery = 200 * time.Millisecond

// clockTicks is USER_HZ, 100 on every Linux architecture Go supports.
const clockTicks = 100

// procStat is what the meter reads of one process.
type procStat struct {
	cpu   float64 // utime+stime, seconds
	start uint64  // start time in clock ticks since boot: tells a reused pid apart
}

// readStat reads utime, stime and starttime from /proc/<pid>/stat.
func readStat(pid int) (procStat, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, err
	}
	// The command name (field 2) may hold spaces; fields count from after ")".
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return procStat{}, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return procStat{}, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	ut, err1 := strconv.ParseFloat(f[11], 64) // field 14
	st, err2 := strconv.ParseFloat(f[12], 64) // field 15
	start, err3 := strconv.ParseUint(f[19], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return procStat{}, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	return procStat{cpu: (ut + st) / clockTicks, start: start}, nil
}

// cpuSeconds reads utime+stime of pid; 0 for no pid.
func cpuSeconds(pid int) (float64, error) {
	if pid <= 0 {
		return 0, nil
	}
	s, err := readStat(pid)
	return s.cpu, err
}

// uptimeTicks is the time since boot in clock ticks, the unit of starttime.
func uptimeTicks() (uint64, error) {
	b, err := os.ReadFile("/proc/uptime")
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0, errors.New("/proc/uptime: unexpected format")
	}
	up, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return 0, errors.New("/proc/uptime: unexpected format")
	}
	return uint64(up * clockTicks), nil
}

// tracked is one counted process.
type tracked struct {
	start      uint64
	base, last float64 // CPU seconds at the loop's start (0 if born during it) and at its last sample
	gone       bool
	born       bool // discovered, started during the loop
}

// cpuMeter measures one loop; start it with startMeter, end it with finish.
type cpuMeter struct {
	server   int
	backends bool
	t0       uint64 // uptimeTicks at start

	mu    sync.Mutex
	procs map[int]*tracked
	err   error // a given process that could not be read at the start

	stop, done chan struct{}
}

// CPUCount is what a meter counted over one loop.
type CPUCount struct {
	Seconds   float64 // CPU seconds of every counted process over the loop
	Processes int     // processes counted
	Exited    int     // of which exited during the loop (counted up to their last sample)
	Appeared  int     // of which started during the loop (counted from their start)
}

// startMeter reads every given process once and starts sampling. With
// backends, PostgreSQL backends serving the server's connections are
// counted too, those already there from now, new ones from their start.
func startMeter(server int, extra []int, backends bool) *cpuMeter {
	m := &cpuMeter{server: server, backends: backends, procs: map[int]*tracked{},
		stop: make(chan struct{}), done: make(chan struct{})}
	m.t0, m.err = uptimeTicks()
	for _, pid := range append([]int{server}, extra...) {
		s, err := readStat(pid)
		if err != nil {
			m.err = errors.Join(m.err, err)
			continue
		}
		m.procs[pid] = &tracked{start: s.start, base: s.cpu, last: s.cpu}
	}
	m.discover()
	go func() {
		defer close(m.done)
		t := time.NewTicker(sampleEvery)
		defer t.Stop()
		for {
			select {
			case <-m.stop:
				return
			case <-t.C:
				m.sample()
			}
		}
	}()
	return m
}

// sample reads every live process, marking gone one that exited (or whose
// pid now names another process), then looks for new backends.
func (m *cpuMeter) sample() {
	m.mu.Lock()
	for pid, p := range m.procs {
		if p.gone {
			continue
		}
		s, err := readStat(pid)
		if err != nil || s.start != p.start {
			p.gone = true
			continue
		}
		p.last = s.cpu
	}
	m.mu.Unlock()
	m.discover()
}

// discover adds the backends serving the server's connections not yet
// counted: one started after the meter did counts from 0, one found later
// although it was already there (it was idle and unseen: rare) from now.
func (m *cpuMeter) discover() {
	if !m.backends {
		return
	}
	for _, pid := range backendsOf(m.server) {
		m.mu.Lock()
		if _, ok := m.procs[pid]; !ok {
			if s, err := readStat(pid); err == nil {
				p := &tracked{start: s.start, base: s.cpu, last: s.cpu}
				if s.start > m.t0 {
					p.base, p.born = 0, true
				}
				m.procs[pid] = p
			}
		}
		m.mu.Unlock()
	}
}

// finish stops sampling, samples once more and sums. It fails when a given
// process could not be read at the start or the server is gone: a figure
// missing part of the work would be wrong, not just imprecise.
func (m *cpuMeter) finish() (CPUCount, error) {
	close(m.stop)
	<-m.done
	m.sample()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return CPUCount{}, m.err
	}
	if p := m.procs[m.server]; p == nil || p.gone {
		return CPUCount{}, fmt.Errorf("the server (pid %d) exited during the run", m.server)
	}
	var c CPUCount
	for _, p := range m.procs {
		c.Seconds += p.last - p.base
		c.Processes++
		if p.gone {
			c.Exited++
		}
		if p.born {
			c.Appeared++
		}
	}
	return c, nil
}

// backendsOf returns the pids of the PostgreSQL backends whose client end is
// one of pid's TCP sockets: a backend's process title names its client as
// host(port) ("postgres: user db 127.0.0.1(54321) idle", PostgreSQL's
// default update_process_title), and pid's sockets are matched to their
// local addresses through /proc/<pid>/net/tcp{,6}.
func backendsOf(pid int) []int {
	clients := localEndpoints(pid)
	if len(clients) == 0 {
		return nil
	}
	dir, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range dir {
		p, err := strconv.Atoi(e.Name())
		if err != nil || p == pid {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil {
			continue
		}
		if ep, ok := backendClient(b); ok && clients[ep] {
			out = append(out, p)
		}
	}
	return out
}

// titleClient matches a backend's title, "postgres: [cluster: ]user
// database host(port) activity".
var titleClient = regexp.MustCompile(`^postgres: (?:\S+: )?\S+ \S+ (\S+)\((\d+)\)`)

// backendClient parses a PostgreSQL backend's process title into its
// client's "host(port)".
func backendClient(cmdline []byte) (string, bool) {
	title := string(bytes.TrimRight(bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '}), " "))
	m := titleClient.FindStringSubmatch(title)
	if m == nil {
		return "", false
	}
	a, err := netip.ParseAddr(m[1])
	if err != nil {
		return "", false
	}
	return a.Unmap().String() + "(" + m[2] + ")", true
}

// localEndpoints is the set of "host(port)" local addresses of pid's TCP
// sockets.
func localEndpoints(pid int) map[string]bool {
	base := "/proc/" + strconv.Itoa(pid)
	fds, err := os.ReadDir(base + "/fd")
	if err != nil {
		return nil
	}
	inodes := map[string]bool{}
	for _, fd := range fds {
		l, err := os.Readlink(base + "/fd/" + fd.Name())
		if err == nil && strings.HasPrefix(l, "socket:[") {
			inodes[strings.TrimSuffix(strings.TrimPrefix(l, "socket:["), "]")] = true
		}
	}
	out := map[string]bool{}
	for _, table := range []string{"/net/tcp", "/net/tcp6"} {
		b, err := os.ReadFile(base + table)
		if err != nil {
			continue
		}
		for ep, inode := range tcpTable(b) {
			if inodes[inode] {
				out[ep] = true
			}
		}
	}
	return out
}

// tcpTable maps each socket of a /proc/net/tcp{,6} table to its local
// address as "host(port)"; the value is the socket's inode.
func tcpTable(b []byte) map[string]string {
	out := map[string]string{}
	lines := strings.Split(string(b), "\n")
	for _, l := range lines[min(1, len(lines)):] { // the first line is the header
		f := strings.Fields(l)
		if len(f) < 10 {
			continue
		}
		host, port, ok := strings.Cut(f[1], ":")
		if !ok {
			continue
		}
		a, ok := procAddr(host)
		n, err := strconv.ParseUint(port, 16, 16)
		if !ok || err != nil {
			continue
		}
		out[a.Unmap().String()+"("+strconv.FormatUint(n, 10)+")"] = f[9]
	}
	return out
}

// procAddr decodes an address of /proc/net/tcp{,6}: hex, each 32-bit word
// in the host's byte order.
func procAddr(h string) (netip.Addr, bool) {
	raw, err := hex.DecodeString(h)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.Addr{}, false
	}
	for i := 0; i < len(raw); i += 4 {
		binary.BigEndian.PutUint32(raw[i:], binary.NativeEndian.Uint32(raw[i:]))
	}
	a, ok := netip.AddrFromSlice(raw)
	return a, ok
}
