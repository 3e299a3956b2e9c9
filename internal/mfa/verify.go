package mfa

import (
	"context"
	"errors"
	"fmt"

	"github.com/guildgate/guildgate/internal/model"
)

// Verify checks a second-factor code of the member: a 6-digit code from
// their authenticator or one of their recovery codes. Order matters:
// malformed input is refused before it can cost a throttle token, a guess
// is paid for before any check, and the member is read afresh so that a
// disabled one is refused at once whatever code they hold.
func (s *Service) Verify(ctx context.Context, tenantID, memberID, input, ip string) (Method, error) {
	code := normalize(input)
	totpShape, recoveryShape := isTOTPCode(code), isRecoveryCode(code)
	if !totpShape && !recoveryShape {
		return "", ErrMalformed
	}
	if err := s.allow(ctx, tenantID, memberID, ip); err != nil {
		return "", err
	}
	m, err := s.Members.Get(ctx, tenantID, memberID)
	switch {
	case errors.Is(err, model.ErrNotFound):
		return "", ErrIncorrect
	case err != nil:
		return "", fmt.Errorf("mfa: get member: %w", err)
	case m.Disabled:
		return "", s.failed(ctx, tenantID, memberID, ip, "disabled")
	}
	var method Method
	var reason string
	if totpShape {
		method, reason, err = s.checkTOTP(ctx, tenantID, memberID, code)
	} else {
		method, reason, err = s.checkRecovery(ctx, tenantID, memberID, code)
	}
	if err != nil {
		return "", err
	}
	if reason != "" {
		return "", s.failed(ctx, tenantID, memberID, ip, reason)
	}
	if err := s.Throttle.Succeed(ctx, tenantID, ThrottleAccount(memberID), ip); err != nil {
		s.Logger.ErrorContext(ctx, "reset second-factor throttle failed", "cause", err.Error())
	}
	s.audit(ctx, tenantID, "member:"+memberID, "mfa.success", memberID, ip, map[string]string{"method": string(method)})
	return method, nil
}

// ThrottleAccount is the account name the throttle knows a second factor
// by: buckets of its own, beside those of the member's password. Codes
// and passkeys of one member share them.
func ThrottleAccount(memberID string) string { return "mfa:" + memberID }

func (s *Service) allow(ctx context.Context, tenantID, memberID, ip string) error {
	wait, err := s.Throttle.Allow(ctx, tenantID, ThrottleAccount(memberID), ip)
	if err != nil {
		return fmt.Errorf("mfa: throttle: %w", err)
	}
	if wait > 0 {
		s.audit(ctx, tenantID, "anonymous", "mfa.failure", memberID, ip, map[string]string{"reason": "throttled"})
		return &Throttled{Wait: wait}
	}
	return nil
}

func (s *Service) failed(ctx context.Context, tenantID, memberID, ip, reason string) error {
	s.audit(ctx, tenantID, "anonymous", "mfa.failure", memberID, ip, map[string]string{"reason": reason})
	return ErrIncorrect
}

// checkTOTP returns a failure reason ("" on success): the code must match
// a step in the window and that step must be later than the last one
// accepted, which one atomic statement records.
func (s *Service) checkTOTP(ctx context.Context, tenantID, memberID, code string) (Method, string, error) {
	t, err := s.Factors.GetTOTP(ctx, tenantID, memberID)
	if errors.Is(err, model.ErrNotFound) {
		return "", "no_authenticator", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("mfa: get authenticator: %w", err)
	}
	secret, err := s.Secrets.Decrypt(t.Secret, storedAD(tenantID, memberID))
	if err != nil {
		return "", "", fmt.Errorf("mfa: open authenticator secret: %w", err)
	}
	st, ok, err := matchStep(string(secret), code, s.Now())
	if err != nil || !ok {
		return "", "wrong_code", err
	}
	first, err := s.Factors.UseTOTPStep(ctx, tenantID, memberID, st)
	if err != nil {
		return "", "", fmt.Errorf("mfa: use code: %w", err)
	}
	if !first {
		return "", "replayed_code", nil
	}
	return MethodTOTP, "", nil
}

func (s *Service) checkRecovery(ctx context.Context, tenantID, memberID, code string) (Method, string, error) {
	used, err := s.Factors.UseRecoveryCode(ctx, tenantID, memberID, recoveryHash(memberID, code), s.Now().UTC())
	if err != nil {
		return "", "", fmt.Errorf("mfa: use recovery code: %w", err)
	}
	if !used {
		return "", "wrong_recovery_code", nil
	}
	return MethodRecovery, "", nil
}
