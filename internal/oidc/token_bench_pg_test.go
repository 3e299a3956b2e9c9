package oidc_test

import (
	"os"
	"testing"

	"github.com/guildgate/guildgate/internal/store/storetest"
)

// envBenchPostgres runs the token benchmarks on PostgreSQL (the database
// GUILDGATE_TEST_POSTGRES names, a fresh schema each) instead of SQLite,
// so the two can be compared with the same code: set it to 1. Benchmarks
// are not tests, so a set GUILDGATE_TEST_POSTGRES alone does not switch
// them; the SQLite figures stay what `go test -bench` reports by default.
const envBenchPostgres = "GUILDGATE_BENCH_POSTGRES"

// newBenchHarness is newHarness on the database the benchmark run asks for.
func newBenchHarness(b *testing.B) *harness {
	b.Helper()
	if os.Getenv(envBenchPostgres) == "1" {
		return newHarnessOn(b, storetest.PostgresDSN(b)+os.Getenv("GUILDGATE_BENCH_POSTGRES_PARAMS"))
	}
	return newHarness(b)
}
