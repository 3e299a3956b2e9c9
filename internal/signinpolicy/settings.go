package signinpolicy

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/guildgate/guildgate/internal/auditlog"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/store"
)

// Settings changes who must use a second factor, audited. Every field is
// required.
type Settings struct {
	Policies store.MFAPolicies
	Audit    store.Audit
	Now      func() time.Time
}

// SetTenant sets the tenant's policy: optional, admins or required.
func (s *Settings) SetTenant(ctx context.Context, actor, tenantID string, p model.MFAPolicy) error {
	if !p.Valid() {
		var l problem.List
		l.Add("mfa", "must be optional, admins or required, not %q", string(p))
		return l.Err()
	}
	if err := s.Policies.SetTenant(ctx, tenantID, p); err != nil {
		return fmt.Errorf("signinpolicy: %w", err)
	}
	return s.audit(ctx, actor, tenantID, "tenant.mfa_policy", "tenant:"+tenantID, map[string]string{"policy": string(p)})
}

// SetClient makes the client require a second factor of every member, or not.
func (s *Settings) SetClient(ctx context.Context, actor, tenantID, clientID string, required bool) error {
	if err := s.Policies.SetClient(ctx, tenantID, clientID, required); err != nil {
		return fmt.Errorf("signinpolicy: %w", err)
	}
	return s.audit(ctx, actor, tenantID, "client.require_mfa", "client:"+clientID,
		map[string]string{"require_mfa": strconv.FormatBool(required)})
}

func (s *Settings) audit(ctx context.Context, actor, tenantID, action, target string, detail map[string]string) error {
	err := auditlog.Record(ctx, s.Audit, model.AuditEvent{TenantID: tenantID, At: s.Now().UTC(), Actor: actor, Action: action,
		Target: target, Detail: detail})
	if err != nil {
		return fmt.Errorf("signinpolicy: audit: %w", err)
	}
	return nil
}
