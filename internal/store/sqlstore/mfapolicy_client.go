package sqlstore

import (
	"context"
	"fmt"

	"github.com/guildgate/guildgate/internal/model"
)

// ForClient reads the tenant's policy and the client's requirement with one
// statement: two subqueries, each of which finds at most one row.
func (r mfaPolicies) ForClient(ctx context.Context, tenantID, clientID string) (model.MFAPolicy, bool, error) {
	var p string
	var n int
	err := r.s.db.QueryRowContext(ctx, `SELECT
		COALESCE((SELECT policy FROM tenant_mfa_policies WHERE tenant_id = $1), ''),
		(SELECT COUNT(*) FROM client_mfa_required WHERE tenant_id = $1 AND client_id = $2)`,
		tenantID, clientKey(clientID)).Scan(&p, &n)
	if err != nil {
		return "", false, fmt.Errorf("mfa policy for client: %w", err)
	}
	if p == "" {
		return model.MFAOptional, n == 1, nil
	}
	return model.MFAPolicy(p), n == 1, nil
}
