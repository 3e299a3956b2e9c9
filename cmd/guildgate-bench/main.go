// Command guildgate-bench load-benchmarks a running OpenID Provider over
// HTTPS (see internal/bench). It is its own binary so that the identity
// provider ships no load generator.
package main

import (
	"context"
	"os"

	"github.com/guildgate/guildgate/internal/bench"
	"github.com/guildgate/guildgate/internal/gctune"
)

func main() {
	// The server's collector setting, so that the argon2id limit is
	// measured at the garbage-collection cost a server's sign-in pays.
	gctune.Apply(os.LookupEnv)
	os.Exit(bench.Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
