// Package auditlog is the one way an event reaches the audit log. A service
// records its change or fails with it (Record): an administrator's change
// that cannot be audited is not made. A sign-in surface records on a best
// effort (BestEffort): an audit outage is logged loudly but must not lock
// every member out.
package auditlog

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// Record appends e, wrapping a failure with what was being recorded.
func Record(ctx context.Context, a store.Audit, e model.AuditEvent) error {
	if err := a.Append(ctx, e); err != nil {
		return fmt.Errorf("record %s on %s: %w", e.Action, e.Target, err)
	}
	return nil
}

// BestEffort appends e; a failure is logged with the request id, not
// returned.
func BestEffort(ctx context.Context, a store.Audit, logger *slog.Logger, e model.AuditEvent) {
	if err := a.Append(ctx, e); err != nil {
		logger.LogAttrs(ctx, slog.LevelError, "append audit event failed", slog.String("request_id", httpx.RequestIDFrom(ctx)),
			slog.String("action", e.Action), slog.String("cause", err.Error()))
	}
}
