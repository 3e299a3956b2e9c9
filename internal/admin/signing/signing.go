// Package signing rotates a tenant's signing keys on an administrator's
// request and records it. keys.Manager leaves auditing to its callers (the
// scheduled rotation is the system's, not a person's act), so the API and
// the console share this one place that names who rotated and what signs now.
package signing

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/auditlog"
	"github.com/guildgate/guildgate/internal/keys"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// Rotate retires the tenant's current keys, promotes the published next
// ones and returns the new key set.
func Rotate(ctx context.Context, m *keys.Manager, audit store.Audit, now time.Time, actor, tenantID string) ([]model.SigningKey, error) {
	if err := m.Rotate(ctx, tenantID); err != nil {
		return nil, err
	}
	ks, err := m.List(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	var current []string
	for _, k := range ks {
		if k.State == model.KeyCurrent && k.Purpose == model.KeyForSAML {
			current = append(current, "saml-"+k.Alg+":"+k.ID)
		} else if k.State == model.KeyCurrent {
			current = append(current, k.Alg+":"+k.ID)
		}
	}
	slices.Sort(current)
	err = auditlog.Record(ctx, audit, model.AuditEvent{TenantID: tenantID, At: now.UTC(), Actor: actor, Action: "keys.rotate",
		Target: "tenant:" + tenantID, Detail: map[string]string{"current": strings.Join(current, " ")}})
	return ks, err
}
