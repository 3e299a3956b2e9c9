// Command guildgate is the single binary: the identity provider server
// (`guildgate serve`) and the commands that manage its data from a shell.
// Everything lives in internal/cli so that tests run it in-process.
package main

import (
	"context"
	"os"
	"runtime/debug"

	"github.com/guildgate/guildgate/internal/cli"
)

func main() {
	tuneGC(os.LookupEnv)
	os.Exit(cli.Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.LookupEnv))
}

// gcPercent is the collector's target unless the operator set one. The
// server's live heap is a few MB (sessions, codes and tokens live in the
// database), so at Go's default of 100 it collected after every ~4 MB of
// request garbage, some 15 times a second per core under load, about 5 % of
// the CPU (gctrace, jwks and discovery). At 400 it collects a quarter as
// often, for a heap of about 20 MB instead of 8 at that live size.
const gcPercent = 400

// tuneGC applies gcPercent unless GOGC or GOMEMLIMIT says how the operator
// wants memory traded for CPU; the runtime has read those already.
func tuneGC(env func(string) (string, bool)) {
	if _, ok := env("GOGC"); ok {
		return
	}
	if _, ok := env("GOMEMLIMIT"); ok {
		return
	}
	debug.SetGCPercent(gcPercent)
}
