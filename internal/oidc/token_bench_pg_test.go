package oidc_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/store/storetest"
)

// envBenchPostgres runs the token benchmarks on PostgreSQL (the database
// GUILDGATE_TEST_POSTGRES names, a fresh schema each) instead of SQLite,
// so the two can be compared with the same code: set it to 1. Benchmarks
// are not tests, so a set GUILDGATE_TEST_POSTGRES alone does not switch
// them; the SQLite figures stay what `go test -bench` reports by default.
// GUILDGATE_BENCH_POSTGRES_PARAMS is appended to the database URL (say
// &options=-c%20log_statement%3Dall, to count the statements per request
// in the server's log).
const envBenchPostgres = "GUILDGATE_BENCH_POSTGRES"

// benchBackends names (as application_name) the PostgreSQL connections of
// the benchmark running now, whose server-side CPU benchRequests reports
// as pg-cpu-µs/req: on one machine PostgreSQL's work is the server's too.
var benchBackends string

// newBenchHarness is newHarness on the database the benchmark run asks for.
func newBenchHarness(b *testing.B) *harness {
	b.Helper()
	benchBackends = ""
	if os.Getenv(envBenchPostgres) != "1" {
		return newHarness(b)
	}
	app := "ggbench_" + strings.ToLower(rand.Text()[:8])
	h := newHarnessOn(b, storetest.PostgresDSN(b)+"&application_name="+app+os.Getenv("GUILDGATE_BENCH_POSTGRES_PARAMS"))
	benchBackends = app
	return h
}

// postgresCPU is the CPU time (user and system) the benchmark's
// PostgreSQL backends have used, 0 on SQLite. A backend that exits
// between two readings (none should: the pool keeps its connections)
// would go uncounted.
func postgresCPU(b *testing.B) time.Duration {
	if benchBackends == "" {
		return 0
	}
	db, err := sql.Open("pgx", os.Getenv(storetest.EnvPostgres))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rows, err := db.QueryContext(ctx, `SELECT pid FROM pg_stat_activity WHERE application_name = $1`, benchBackends)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var total time.Duration
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			b.Fatal(err)
		}
		total += procCPU(b, pid)
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return total
}

// procCPU reads a process's utime and stime from /proc (Linux, where a
// clock tick is 10 ms on every architecture Go runs the benchmarks on).
func procCPU(b *testing.B, pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatalf("CPU of PostgreSQL backend %d (same machine?): %v", pid, err)
	}
	// Fields after the command name, which is in parentheses: state is
	// the first, utime and stime the 12th and 13th.
	fields := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+1:]))
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			b.Fatalf("/proc/%d/stat: %v", pid, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}
