// Package mfa is a member's second factor: an authenticator app (TOTP,
// RFC 6238: SHA-1, 6 digits, 30-second steps, one step of clock skew) and
// the ten recovery codes issued with it. Passkeys (package passkeys) count
// among a member's factors here: Status reports them and Reset removes them. It holds the rules every surface
// shares — each code works once, guesses are throttled like passwords, a
// disabled member's factors stop working, every enrolment, removal and
// failure is audited — so the login step, the member's security page, the
// console and the command line only turn its answers into pages.
package mfa

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/guildgate/guildgate/internal/auditlog"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/notices"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/throttle"
)

// Errors a caller shows the member. Each is a plain value: none carries
// anything secret.
var (
	// ErrMalformed: the input is neither a 6-digit code nor a recovery code.
	ErrMalformed = errors.New("mfa: not a code")
	// ErrIncorrect: a wrong, replayed or expired code, or a member whose
	// factors no longer work (disabled): one answer for all.
	ErrIncorrect = errors.New("mfa: incorrect code")
	// ErrNoFactor: the member has no second factor to check.
	ErrNoFactor = errors.New("mfa: no second factor")
	// ErrEnrolled: the member already has an authenticator.
	ErrEnrolled = errors.New("mfa: authenticator already set up")
	// ErrExpired: the enrolment form waited too long.
	ErrExpired = errors.New("mfa: enrolment expired")
)

// Throttled refuses a guess because too many came before it.
type Throttled struct{ Wait time.Duration }

func (e *Throttled) Error() string { return fmt.Sprintf("mfa: throttled for %s", e.Wait) }

// CodePath is the sign-in step that asks for a code (package login): after
// a right password, or for a signed-in member whose session lacks the
// second factor something now needs (step-up). Other pages send members
// there with return_to.
const CodePath = "/login/code"

// NeedPasskey is CodePath's "need" value when only a passkey will do
// (acr_values=phr): the page then offers no code form.
const NeedPasskey = "passkey"

// EnrolPath is the authenticator set-up page (package accountsecurity),
// where a member who must use a second factor and has none is sent, with
// return_to.
const EnrolPath = "/account/security/totp"

// ProvedTwo reports whether a sign-in with amr (RFC 8176) proved more than
// one factor: two of them ("mfa"), or a passkey that verified the person
// ("hwk" or "swk" with "user": something held and something known or
// been).
func ProvedTwo(amr []string) bool {
	return slices.Contains(amr, "mfa") ||
		((slices.Contains(amr, "hwk") || slices.Contains(amr, "swk")) && slices.Contains(amr, "user"))
}

// WithSecondFactor adds method and "mfa" (RFC 8176) to the first factor's
// amr, keeping it free of duplicates.
func WithSecondFactor(amr []string, method string) []string {
	out := slices.Clone(amr)
	for _, v := range []string{method, "mfa"} {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// Method is how a second factor was proved, for audit and amr.
type Method string

const (
	MethodTOTP     Method = "totp"
	MethodRecovery Method = "recovery_code"
)

// Service checks and manages second factors. Every field is required.
type Service struct {
	Factors  store.Factors
	Passkeys store.Passkeys
	Members  store.Members
	Secrets  *secrets.Keyring
	Throttle *throttle.Limiter
	Audit    store.Audit
	Logger   *slog.Logger
	Now      func() time.Time
	// Notices mails a member whose factors an administrator removed; nil
	// mails nothing.
	Notices *notices.Notifier
}

// Status is what a member has set up.
type Status struct {
	TOTP          bool
	TOTPSince     time.Time
	RecoveryLeft  int // unused recovery codes
	RecoveryTotal int
	Passkeys      int
}

// Any reports whether the member has a second factor at all.
func (s Status) Any() bool { return s.TOTP || s.Passkeys > 0 }

// HasSecondFactor is Status(…).Any() in one read, without the recovery
// codes, which are no factor of their own: a sign-in asks it after every
// right password.
func (s *Service) HasSecondFactor(ctx context.Context, tenantID, memberID string) (bool, error) {
	has, err := s.Factors.HasSecondFactor(ctx, tenantID, memberID)
	if err != nil {
		return false, fmt.Errorf("mfa: second factor: %w", err)
	}
	return has, nil
}

// Status reports the member's factors.
func (s *Service) Status(ctx context.Context, tenantID, memberID string) (Status, error) {
	var st Status
	t, err := s.Factors.GetTOTP(ctx, tenantID, memberID)
	switch {
	case errors.Is(err, model.ErrNotFound):
	case err != nil:
		return Status{}, fmt.Errorf("mfa: status: %w", err)
	default:
		st.TOTP, st.TOTPSince = true, t.CreatedAt
	}
	codes, err := s.Factors.RecoveryCodes(ctx, tenantID, memberID)
	if err != nil {
		return Status{}, fmt.Errorf("mfa: status: %w", err)
	}
	keys, err := s.Passkeys.Passkeys(ctx, tenantID, memberID)
	if err != nil {
		return Status{}, fmt.Errorf("mfa: status: %w", err)
	}
	st.RecoveryTotal, st.Passkeys = len(codes), len(keys)
	for _, c := range codes {
		if c.UsedAt.IsZero() {
			st.RecoveryLeft++
		}
	}
	return st, nil
}

// audit records an event; a failing audit log is reported, not fatal, so
// an audit outage cannot lock every member out.
func (s *Service) audit(ctx context.Context, tenantID, actor, action, memberID, ip string, detail map[string]string) {
	auditlog.BestEffort(ctx, s.Audit, s.Logger, model.AuditEvent{TenantID: tenantID, At: s.Now().UTC(), Actor: actor,
		Action: action, Target: "member:" + memberID, IP: ip, Detail: detail})
}
