package cli

import (
	"context"
	"fmt"
	"runtime/debug"
)

// Version is set at build time:
//
//	go build -ldflags "-X github.com/guildgate/guildgate/internal/cli.Version=1.2.3" ./cmd/guildgate
var Version = "dev"

func runVersion(_ context.Context, c *call, args []string) error {
	if _, err := c.parseArgs(c.newFlagSet(), args); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "guildgate %s (commit %s)\n", Version, commit())
	return nil
}

// commit is the VCS revision the Go toolchain stamped into the binary,
// marked "-dirty" when the tree had local changes.
func commit() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	rev, dirty := "unknown", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if dirty && rev != "unknown" {
		rev += "-dirty"
	}
	return rev
}
