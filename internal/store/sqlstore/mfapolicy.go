package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// mfaPolicies implements store.MFAPolicies: a row per tenant that set a
// policy, a row per client that requires a second factor.
type mfaPolicies struct{ s *Store }

func (s *Store) MFAPolicies() store.MFAPolicies { return mfaPolicies{s} }

func (r mfaPolicies) Tenant(ctx context.Context, tenantID string) (model.MFAPolicy, error) {
	var p string
	err := r.s.db.QueryRowContext(ctx, `SELECT policy FROM tenant_mfa_policies WHERE tenant_id = $1`, tenantID).Scan(&p)
	if err = notFound(err); errors.Is(err, model.ErrNotFound) {
		return model.MFAOptional, nil
	}
	if err != nil {
		return "", fmt.Errorf("get mfa policy: %w", err)
	}
	return model.MFAPolicy(p), nil
}

func (r mfaPolicies) SetTenant(ctx context.Context, tenantID string, p model.MFAPolicy) error {
	_, err := r.s.exec(ctx, r.s.db, `INSERT INTO tenant_mfa_policies (tenant_id, policy) VALUES ($1, $2)
		ON CONFLICT (tenant_id) DO UPDATE SET policy = excluded.policy`, tenantID, string(p))
	if err != nil {
		return fmt.Errorf("set mfa policy: %w", err)
	}
	return nil
}

func (r mfaPolicies) ClientRequires(ctx context.Context, tenantID, clientID string) (bool, error) {
	var n int
	err := r.s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM client_mfa_required WHERE tenant_id = $1 AND client_id = $2`,
		tenantID, clientKey(clientID)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("client mfa requirement: %w", err)
	}
	return n == 1, nil
}

func (r mfaPolicies) SetClient(ctx context.Context, tenantID, clientID string, required bool) error {
	var err error
	if required {
		_, err = r.s.exec(ctx, r.s.db, `INSERT INTO client_mfa_required (tenant_id, client_id) VALUES ($1, $2)
			ON CONFLICT (tenant_id, client_id) DO NOTHING`, tenantID, clientKey(clientID))
	} else {
		_, err = r.s.exec(ctx, r.s.db, `DELETE FROM client_mfa_required WHERE tenant_id = $1 AND client_id = $2`,
			tenantID, clientKey(clientID))
	}
	if err != nil {
		return fmt.Errorf("set client mfa requirement: %w", err)
	}
	return nil
}
