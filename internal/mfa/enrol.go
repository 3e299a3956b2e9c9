package mfa

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/notices"
	"github.com/guildgate/guildgate/internal/secrets"
)

// enrolTTL bounds how long a set-up form stays valid.
const enrolTTL = 30 * time.Minute

// Enrolment is a new authenticator secret on its way to the member: the
// otpauth:// URI for the QR code, the secret as text for typing in, and
// Pending, the secret sealed for the form, so nothing is stored until the
// member proves their app produces codes.
type Enrolment struct {
	Secret  string
	URI     string
	Pending string
}

// BeginTOTP makes a new secret for m. issuer names the site in the app.
func (s *Service) BeginTOTP(t model.Tenant, m model.Member, issuer string) (Enrolment, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: m.Email, Period: period,
		SecretSize: 20, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return Enrolment{}, fmt.Errorf("mfa: generate secret: %w", err)
	}
	plain := strconv.FormatInt(s.Now().Unix(), 10) + "." + key.Secret()
	sealed, err := s.Secrets.Encrypt([]byte(plain), pendingAD(t, m))
	if err != nil {
		return Enrolment{}, fmt.Errorf("mfa: seal pending secret: %w", err)
	}
	return Enrolment{Secret: key.Secret(), URI: key.URL(), Pending: sealed}, nil
}

func pendingAD(t model.Tenant, m model.Member) []byte {
	return secrets.AssociatedData("totp-enrol", t.ID, m.ID)
}

func storedAD(tenantID, memberID string) []byte {
	return secrets.AssociatedData("totp", tenantID, memberID)
}

// openPending returns the secret of a set-up form made for m, or
// ErrExpired when it is too old or was not made for them.
func (s *Service) openPending(t model.Tenant, m model.Member, pending string) (string, error) {
	if len(pending) > 1024 {
		return "", ErrExpired
	}
	plain, err := s.Secrets.Decrypt(pending, pendingAD(t, m))
	if err != nil {
		return "", ErrExpired
	}
	at, secret, ok := strings.Cut(string(plain), ".")
	sec, err := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil || s.Now().Sub(time.Unix(sec, 0)) > enrolTTL {
		return "", ErrExpired
	}
	return secret, nil
}

// ConfirmTOTP stores the pending secret once code shows the member's app
// has it, and returns the new recovery codes, to be shown once. The
// confirming code is spent: it cannot then sign anyone in.
func (s *Service) ConfirmTOTP(ctx context.Context, t model.Tenant, m model.Member, pending, code, ip string) ([]string, error) {
	secret, err := s.openPending(t, m, pending)
	if err != nil {
		return nil, err
	}
	code = normalize(code)
	if !isTOTPCode(code) {
		return nil, ErrMalformed
	}
	st, ok, err := matchStep(secret, code, s.Now())
	if err != nil {
		return nil, err
	}
	if !ok {
		s.audit(ctx, t.ID, "member:"+m.ID, "mfa.totp.enrol_failure", m.ID, ip, map[string]string{"reason": "wrong_code"})
		return nil, ErrIncorrect
	}
	sealed, err := s.Secrets.Encrypt([]byte(secret), storedAD(t.ID, m.ID))
	if err != nil {
		return nil, fmt.Errorf("mfa: seal secret: %w", err)
	}
	shown, hashes := newRecoveryCodes(m.ID)
	err = s.Factors.EnrollTOTP(ctx, model.TOTP{TenantID: t.ID, MemberID: m.ID, Secret: sealed, LastStep: st,
		CreatedAt: s.Now().UTC()}, hashes)
	if errors.Is(err, model.ErrConflict) {
		return nil, ErrEnrolled
	}
	if err != nil {
		return nil, fmt.Errorf("mfa: enrol: %w", err)
	}
	s.audit(ctx, t.ID, "member:"+m.ID, "mfa.totp.enrolled", m.ID, ip, nil)
	return shown, nil
}

// NewRecoveryCodes replaces the member's recovery codes, returning the new
// ones to be shown once. Only a member with an authenticator has codes.
func (s *Service) NewRecoveryCodes(ctx context.Context, t model.Tenant, m model.Member, ip string) ([]string, error) {
	if _, err := s.Factors.GetTOTP(ctx, t.ID, m.ID); errors.Is(err, model.ErrNotFound) {
		return nil, ErrNoFactor
	} else if err != nil {
		return nil, fmt.Errorf("mfa: recovery codes: %w", err)
	}
	shown, hashes := newRecoveryCodes(m.ID)
	if err := s.Factors.ReplaceRecoveryCodes(ctx, t.ID, m.ID, hashes); err != nil {
		return nil, fmt.Errorf("mfa: recovery codes: %w", err)
	}
	s.audit(ctx, t.ID, "member:"+m.ID, "mfa.recovery_codes.renewed", m.ID, ip, nil)
	return shown, nil
}

// RemoveTOTP removes the member's authenticator and its recovery codes;
// actor is the member themselves or an administrator.
func (s *Service) RemoveTOTP(ctx context.Context, tenantID, memberID, actor, ip string) (bool, error) {
	gone, err := s.Factors.DeleteTOTP(ctx, tenantID, memberID)
	if err != nil {
		return false, fmt.Errorf("mfa: remove authenticator: %w", err)
	}
	if gone {
		s.audit(ctx, tenantID, actor, "mfa.totp.removed", memberID, ip, nil)
	}
	return gone, nil
}

// Reset removes every second factor of member m — authenticator, recovery
// codes and passkeys — for an administrator helping someone who lost them
// all, and mails m that it was done. It reports whether there was any.
func (s *Service) Reset(ctx context.Context, t model.Tenant, m model.Member, actor string) (bool, error) {
	tenantID, memberID := t.ID, m.ID
	gone, err := s.Factors.DeleteTOTP(ctx, tenantID, memberID)
	if err != nil {
		return false, fmt.Errorf("mfa: reset: %w", err)
	}
	keys, err := s.Passkeys.DeletePasskeys(ctx, tenantID, memberID)
	if err != nil {
		return false, fmt.Errorf("mfa: reset: %w", err)
	}
	removed := gone || keys > 0
	s.audit(ctx, tenantID, actor, "mfa.reset", memberID, "", map[string]string{"removed": strconv.FormatBool(removed),
		"authenticator": strconv.FormatBool(gone), "passkeys": strconv.FormatInt(keys, 10)})
	if !removed {
		return false, nil
	}
	if err := s.Notices.Notify(ctx, t, m, notices.FactorsReset); err != nil {
		return true, fmt.Errorf("mfa: the factors were removed, but the member's notice was not queued: %w", err)
	}
	return true, nil
}
