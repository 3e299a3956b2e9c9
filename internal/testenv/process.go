package testenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// builds holds the binaries BuildBinary made, by ldflags, in one directory
// for the whole test process.
var builds struct {
	sync.Mutex
	dir  string
	bins map[string]string
}

// BuildBinary builds the guildgate command of the module under test and
// returns its path. ldflags may be empty. Linking takes seconds and the
// result is the same for every test, so each ldflags is built once per test
// process, into a directory that RemoveBuilds deletes: a package whose tests
// call BuildBinary calls RemoveBuilds from its TestMain. Tests must not
// change the binary.
func BuildBinary(t testing.TB, ldflags string) string {
	t.Helper()
	builds.Lock()
	defer builds.Unlock()
	if bin, ok := builds.bins[ldflags]; ok {
		return bin
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || filepath.Base(gomod) != "go.mod" {
		t.Fatalf("go env GOMOD = %q, %v: the test does not run inside the module", gomod, err)
	}
	if builds.dir == "" {
		if builds.dir, err = os.MkdirTemp("", "guildgate-test-bin-"); err != nil {
			t.Fatal(err)
		}
		builds.bins = map[string]string{}
	}
	bin := filepath.Join(builds.dir, fmt.Sprintf("guildgate-%d", len(builds.bins)))
	build := exec.CommandContext(ctx, "go", "build", "-ldflags", ldflags, "-o", bin, "./cmd/guildgate")
	build.Dir = filepath.Dir(gomod)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/guildgate: %v\n%s", err, out)
	}
	builds.bins[ldflags] = bin
	return bin
}

// RemoveBuilds deletes the binaries BuildBinary made. Call it from TestMain
// after the tests have run.
func RemoveBuilds() {
	builds.Lock()
	defer builds.Unlock()
	if builds.dir != "" {
		_ = os.RemoveAll(builds.dir)
		builds.dir, builds.bins = "", nil
	}
}

// CleanEnv is this process's environment without any GUILDGATE_* variable,
// plus extra ("KEY=value"), so a child sees only the settings a test chose.
func CleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GUILDGATE_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// Process is a child process whose output a test reads while it runs. It is
// stopped (SIGTERM, then SIGKILL) when the test ends, if still running.
type Process struct {
	Stdout *SyncBuffer
	Stderr *SyncBuffer
	cmd    *exec.Cmd
	exited chan struct{}
}

// StartProcess runs bin with args in dir with exactly env.
func StartProcess(t testing.TB, dir string, env []string, bin string, args ...string) *Process {
	t.Helper()
	p := &Process{Stdout: &SyncBuffer{}, Stderr: &SyncBuffer{}, exited: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Dir, p.cmd.Env = dir, env
	p.cmd.Stdout, p.cmd.Stderr = p.Stdout, p.Stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	go func() {
		_ = p.cmd.Wait() // the exit status is read from ProcessState
		close(p.exited)
	}()
	t.Cleanup(p.stop)
	return p
}

// stop ends the process if it still runs: politely first, so the store is
// closed, then by force.
func (p *Process) stop() {
	if p.Exited() {
		return
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// Signal sends sig to the process.
func (p *Process) Signal(t testing.TB, sig os.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v: %v", sig, err)
	}
}

// Wait returns the exit code once the process ends, failing the test if that
// takes longer than within. A process killed by a signal has code -1.
func (p *Process) Wait(t testing.TB, within time.Duration) int {
	t.Helper()
	select {
	case <-p.exited:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(within):
		t.Fatalf("process still running after %v\nstderr:\n%s", within, p.Stderr)
		return 0
	}
}

// WaitOutput waits until out (p.Stdout or p.Stderr) contains want, failing
// the test after within or when the process ends without printing it.
func (p *Process) WaitOutput(t testing.TB, out *SyncBuffer, want string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		exited := p.Exited() // before reading: once exited, the output is complete
		if strings.Contains(out.String(), want) {
			return
		}
		if exited || time.Now().After(deadline) {
			t.Fatalf("process did not print %q (exited: %v)\nstdout:\n%s\nstderr:\n%s", want, exited, p.Stdout, p.Stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
