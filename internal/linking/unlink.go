package linking

import (
	"context"
	"fmt"

	"github.com/guildgate/guildgate/internal/auditlog"
	"github.com/guildgate/guildgate/internal/model"
)

// Unlink ends identity's link to its member, the inverse of the link a
// sign-in or a directory's push made, and records it as the connection's
// doing. The member stays: what becomes of them is the site's to decide.
func (s *Service) Unlink(ctx context.Context, tenantID string, c model.Connection, identity model.Identity) error {
	if err := s.Identities.Delete(ctx, tenantID, c.ID, identity.Issuer, identity.Subject); err != nil {
		return fmt.Errorf("unlink identity: %w", err)
	}
	return auditlog.Record(ctx, s.Audit, model.AuditEvent{TenantID: tenantID, At: s.now(), Actor: Actor(c),
		Action: "member.identity.unlink", Target: "member:" + identity.MemberID,
		Detail: map[string]string{"connection": c.ID, "issuer": identity.Issuer}})
}
