package cli

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/guildgate/guildgate/internal/app"
	"github.com/guildgate/guildgate/internal/config"
)

// runServe runs the server until SIGINT or SIGTERM, which start a graceful
// shutdown. Configuration problems are all printed at once (exit 2).
func runServe(ctx context.Context, c *call, args []string) error {
	fs := c.newFlagSet()
	config.RegisterFlags(fs)
	if _, err := c.parseArgs(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(fs, c.getenv)
	if err != nil {
		return &configError{err: err}
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	return app.Run(ctx, cfg, c.stdout, c.stderr)
}
