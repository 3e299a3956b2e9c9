package store

import (
	"context"
	"time"
)

// AuthResumes remembers which sign-in markers of authorization requests
// have been honoured (internal/oidc, authorize_resume.go), so that each
// lets one resumed request count a new session as the sign-in it asked
// for, and a replay of the same URL counts for nothing. The SAML identity
// provider records the ids of the messages it accepts here too, prefixed
// "saml:", so a captured AuthnRequest or LogoutRequest is accepted once;
// and the OP those of pushed authorization requests ("par:"), each
// answered once.
type AuthResumes interface {
	// Use records marker id as used until expiresAt in one atomic
	// statement: of callers racing for one id exactly one sees first=true.
	// It fails with model.ErrNotFound when the tenant does not exist.
	Use(ctx context.Context, tenantID, id string, expiresAt time.Time) (first bool, err error)
	// DeleteExpired spans all tenants (the sweeper's): it forgets markers
	// whose expiresAt is strictly before `before`, which could no longer be
	// honoured anyway.
	DeleteExpired(ctx context.Context, before time.Time) (int64, error)
}
