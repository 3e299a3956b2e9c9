// Package directory holds the rules of a tenant's member directory: what a
// valid member or group is, who belongs where, and what must happen alongside
// a change (ending sessions and revoking tokens on a password change or a
// disable, revoking a client's tokens when a member loses its groups, an
// audit event for every change). The
// CLI and the admin API both go through it, so neither can store a member the
// other would refuse.
package directory

import (
	"context"
	"time"

	"github.com/guildgate/guildgate/internal/auditlog"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/password"
	"github.com/guildgate/guildgate/internal/store"
)

// Service applies the directory rules over the store. Every method that
// changes something takes the audit actor ("cli", "member:<id>", …)
// explicitly, so each call site shows who acts; none reads it from a context.
type Service struct {
	Members  store.Members
	Groups   store.Groups
	Sessions store.Sessions
	// Grants and Clients let a change revoke what it takes away: every grant
	// of a member whose password changes or who is disabled, and the grants
	// of the clients a member may no longer use after losing a group.
	Grants  store.Grants
	Clients store.Clients
	Audit   store.Audit
	Hasher  *password.Hasher
	Now     func() time.Time
}

func (s *Service) now() time.Time { return s.Now().UTC() }

// audit records a change. Detail carries field names and ids, never a
// password or hash.
func (s *Service) audit(ctx context.Context, actor, tenantID, action, target string, detail map[string]string) error {
	return auditlog.Record(ctx, s.Audit, model.AuditEvent{
		TenantID: tenantID, At: s.now(), Actor: actor, Action: action, Target: target, Detail: detail,
	})
}
