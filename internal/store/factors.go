package store

import (
	"context"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// Factors keeps members' second factors: an authenticator app (TOTP) and
// the recovery codes issued with it. Every use of a single-use thing is
// one atomic statement, so two replicas can never both accept one code.
type Factors interface {
	// GetTOTP returns the member's authenticator, or model.ErrNotFound.
	GetTOTP(ctx context.Context, tenantID, memberID string) (model.TOTP, error)
	// HasSecondFactor reports whether the member has an authenticator or
	// a passkey (Passkeys), in one read; false for an unknown member.
	HasSecondFactor(ctx context.Context, tenantID, memberID string) (bool, error)
	// EnrollTOTP stores t and replaces the member's recovery codes with
	// codes (hashes, unused), in one transaction. It fails with
	// model.ErrConflict when the member already has an authenticator and
	// model.ErrNotFound when the member does not exist.
	EnrollTOTP(ctx context.Context, t model.TOTP, codes []string) error
	// UseTOTPStep accepts step as used when it is later than the last step
	// accepted; false when it is not (a replayed or older code) or the
	// member has no authenticator.
	UseTOTPStep(ctx context.Context, tenantID, memberID string, step int64) (bool, error)
	// UseRecoveryCode marks the unused code with this hash used at at; false
	// when there is none (unknown, or used already).
	UseRecoveryCode(ctx context.Context, tenantID, memberID, hash string, at time.Time) (bool, error)
	// RecoveryCodes lists the member's codes, used ones included.
	RecoveryCodes(ctx context.Context, tenantID, memberID string) ([]model.RecoveryCode, error)
	// ReplaceRecoveryCodes swaps the member's codes for new unused ones.
	ReplaceRecoveryCodes(ctx context.Context, tenantID, memberID string, codes []string) error
	// DeleteTOTP removes the authenticator and the recovery codes; false
	// when there was no authenticator.
	DeleteTOTP(ctx context.Context, tenantID, memberID string) (bool, error)
}

// Passkeys keeps members' WebAuthn credentials. A member may hold several;
// each is found by its credential id within the tenant (a passwordless
// sign-in names no member until the credential does).
type Passkeys interface {
	// AddPasskey stores p. It fails with model.ErrConflict when the
	// credential id is taken in the tenant and model.ErrNotFound when the
	// member does not exist.
	AddPasskey(ctx context.Context, p model.Passkey) error
	// Passkeys lists the member's passkeys, oldest first.
	Passkeys(ctx context.Context, tenantID, memberID string) ([]model.Passkey, error)
	// GetPasskey returns the tenant's passkey with credential id id, or
	// model.ErrNotFound.
	GetPasskey(ctx context.Context, tenantID, id string) (model.Passkey, error)
	// UsePasskey records a use at at with the authenticator's new
	// signature counter, in one atomic statement: only when count is above
	// the stored counter, or both are zero (authenticators that keep no
	// counter). False means the counter did not advance: a cloned key, a
	// replay, or a concurrent use of the same value that won.
	UsePasskey(ctx context.Context, tenantID, id string, count uint32, at time.Time) (bool, error)
	// DeletePasskey removes the member's passkey id; false when the member
	// has no such passkey.
	DeletePasskey(ctx context.Context, tenantID, memberID, id string) (bool, error)
	// RenamePasskey sets the name of the member's passkey id; false when the
	// member has no such passkey (another member's id included).
	RenamePasskey(ctx context.Context, tenantID, memberID, id, name string) (bool, error)
	// DeletePasskeys removes all the member's passkeys and returns how many.
	DeletePasskeys(ctx context.Context, tenantID, memberID string) (int64, error)
}
