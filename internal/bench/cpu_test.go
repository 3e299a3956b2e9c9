package bench

import (
	"context"
	"database/sql"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// TestMeterKeepsAnExitedProcess: a counted process that exits during the
// loop is counted up to its last sample instead of making the whole figure
// unreadable (the PostgreSQL backend a pool replaced mid-run).
func TestMeterKeepsAnExitedProcess(t *testing.T) {
	// A fixed amount of work, then a pause long enough to be sampled, then exit.
	child := exec.Command("sh", "-c", `i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; sleep 2`)
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	m := startMeter(os.Getpid(), []int{child.Process.Pid}, false)
	if err := child.Wait(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * sampleEvery) // sampled once more after the exit
	c, err := m.finish()
	if err != nil {
		t.Fatalf("finish: %v (the exited process should not make the figure unreadable)", err)
	}
	if c.Processes != 2 || c.Exited != 1 || c.Appeared != 0 {
		t.Errorf("counted %+v; want 2 processes, 1 exited, none appeared", c)
	}
	// sh's own CPU (the loop) is what the meter saw before it exited.
	own := child.ProcessState.UserTime() + child.ProcessState.SystemTime()
	if c.Seconds <= 0 || own > 0 && c.Seconds < own.Seconds()/2 {
		t.Errorf("counted %.2f s of CPU; the child used %s", c.Seconds, own)
	}
}

// TestMeterFailsWithoutTheServer: a figure without the server's CPU would be
// wrong, so none is given.
func TestMeterFailsWithoutTheServer(t *testing.T) {
	child := exec.Command("sleep", "0.1")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	m := startMeter(child.Process.Pid, nil, false)
	if err := child.Wait(); err != nil {
		t.Fatal(err)
	}
	if c, err := m.finish(); err == nil {
		t.Errorf("the server exited, yet the meter counted %+v", c)
	}
	if _, err := startMeter(os.Getpid(), []int{1 << 30}, false).finish(); err == nil {
		t.Error("a given pid that does not exist was not reported")
	}
}

// TestLocalEndpoints: a process's own TCP connections are found by their
// local address, as a PostgreSQL backend's title names its client.
func TestLocalEndpoints(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	a := c.LocalAddr().(*net.TCPAddr)
	want := "127.0.0.1(" + strconv.Itoa(a.Port) + ")"
	if eps := localEndpoints(os.Getpid()); !eps[want] {
		t.Errorf("%s not among this process's endpoints %v", want, eps)
	}
}

func TestBackendClient(t *testing.T) {
	for title, want := range map[string]string{
		"postgres: postgres test 127.0.0.1(54321) idle\x00\x00":              "127.0.0.1(54321)",
		"postgres: bench guildgate ::1(40000) idle in transaction":           "::1(40000)",
		"postgres: 15/main: postgres test 127.0.0.1(5) SELECT":               "127.0.0.1(5)", // with cluster_name
		"postgres: 15/main: checkpointer ":                                   "",             // not a backend
		"postgres: postgres test [local] idle":                               "",             // a Unix socket
		"/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main": "",             // the postmaster
	} {
		got, ok := backendClient([]byte(title))
		if got != want || ok != (want != "") {
			t.Errorf("%q: got %q, %v; want %q", title, got, ok, want)
		}
	}
}

// TestBackendsOfPostgres: the PostgreSQL backend serving this process's
// connection is found from its process title (GUILDGATE_TEST_POSTGRES).
func TestBackendsOfPostgres(t *testing.T) {
	dsn := os.Getenv("GUILDGATE_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("GUILDGATE_TEST_POSTGRES is not set")
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var pid int
	if err := conn.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		t.Fatal(err)
	}
	if got := backendsOf(os.Getpid()); !slices.Contains(got, pid) {
		t.Errorf("backend %d not found; found %v", pid, got)
	}
}

// TestWorkerAddress: each login worker dials from a loopback address of its
// own, so the server (which keys its sign-in throttle on the connection's
// address) sees distinct clients.
func TestWorkerAddress(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	for w := range 3 {
		c, err := dialFrom(context.Background(), "localhost:"+port, workerAddress(w))
		if err != nil {
			t.Fatal(err)
		}
		s, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		ip := s.RemoteAddr().(*net.TCPAddr).IP.String()
		if want := "127.0.0." + strconv.Itoa(w+2); ip != want {
			t.Errorf("worker %d connected from %s, want %s", w, ip, want)
		}
		c.Close()
		s.Close()
	}
	if workerAddress(300).String() != "127.0.1.46" {
		t.Errorf("worker 300's address is %s", workerAddress(300))
	}
}
