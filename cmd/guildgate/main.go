// Command guildgate is the single binary: the identity provider server
// (`guildgate serve`) and the commands that manage its data from a shell.
// Everything lives in internal/cli so that tests run it in-process.
package main

import (
	"context"
	"os"

	"github.com/guildgate/guildgate/internal/cli"
	"github.com/guildgate/guildgate/internal/gctune"
)

func main() {
	gctune.Apply(os.LookupEnv)
	os.Exit(cli.Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.LookupEnv))
}
