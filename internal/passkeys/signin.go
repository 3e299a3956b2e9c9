package passkeys

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/guildgate/guildgate/internal/mfa"
	"github.com/guildgate/guildgate/internal/model"
)

// BeginSignIn makes the options for proving a passkey. For m == nil it is
// a passwordless sign-in: no credentials listed (the browser offers the
// discoverable ones, in a list or as autofill) and user verification
// required, since the passkey is then the only factor. For a member it is
// their second factor: their passkeys listed, user verification preferred.
func (s *Service) BeginSignIn(ctx context.Context, t model.Tenant, m *model.Member, binding string) (Ceremony, error) {
	rp, err := relyingParty(t)
	if err != nil {
		return Ceremony{}, err
	}
	if m == nil {
		assertion, sd, err := rp.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
		if err != nil {
			return Ceremony{}, fmt.Errorf("passkeys: begin sign-in: %w", err)
		}
		return s.seal(t, purposeSignIn, binding, "", assertion.Response, sd)
	}
	u, _, err := s.userOf(ctx, *m)
	if err != nil {
		return Ceremony{}, err
	}
	if len(u.creds) == 0 {
		return Ceremony{}, nil // nothing to offer
	}
	assertion, sd, err := rp.BeginLogin(u, webauthn.WithUserVerification(protocol.VerificationPreferred))
	if err != nil {
		return Ceremony{}, fmt.Errorf("passkeys: begin sign-in: %w", err)
	}
	return s.seal(t, purposeSignIn, binding, m.ID, assertion.Response, sd)
}

// Proof is a passkey proved: whose, which, and the RFC 8176 methods it
// stands for.
type Proof struct {
	Member  model.Member
	Passkey model.Passkey
	// AMR is "hwk" for a key bound to its device or "swk" for one that
	// may be synced off it (backup eligible), and "user" when the
	// authenticator verified the person (PIN or biometric).
	AMR []string
}

// FinishSignIn checks a sign-in response against its state. memberID is
// the member whose second factor this is, or "" for a passwordless
// sign-in, where the credential names the member. Order matters, as for
// codes (package mfa): a malformed response costs nothing; a guess is
// paid for before any check; the state is spent before the response is
// checked; the member is read afresh, so a disabled one is refused at once.
func (s *Service) FinishSignIn(ctx context.Context, t model.Tenant, memberID, binding, sealed string, response []byte,
	ip string) (Proof, error) {
	parsed, err := parseAssertion(response)
	if err != nil {
		s.audit(ctx, t.ID, "anonymous", "passkey.failure", memberID, ip, map[string]string{"reason": "malformed"})
		return Proof{}, ErrMalformed
	}
	credID := base64.RawURLEncoding.EncodeToString(parsed.RawID)
	account := memberID
	if account == "" {
		account = "passkey:" + credID
	}
	if err := s.allow(ctx, t.ID, account, memberID, ip); err != nil {
		return Proof{}, err
	}
	st, err := s.open(t, purposeSignIn, binding, sealed)
	if err == nil && st.MemberID != memberID {
		err = ErrExpired
	}
	if err != nil {
		s.audit(ctx, t.ID, "anonymous", "passkey.failure", memberID, ip, map[string]string{"reason": "expired"})
		return Proof{}, err
	}
	if first, err := s.spend(ctx, t.ID, st); err != nil || !first {
		s.audit(ctx, t.ID, "anonymous", "passkey.failure", memberID, ip, map[string]string{"reason": "replayed"})
		return Proof{}, errOr(err, ErrExpired)
	}
	proof, reason, err := s.verify(ctx, t, memberID, credID, st, parsed)
	if err != nil {
		return Proof{}, err
	}
	if reason != "" {
		who := memberID
		if who == "" {
			who = proof.Member.ID
		}
		s.audit(ctx, t.ID, "anonymous", "passkey.failure", who, ip, map[string]string{"reason": reason})
		return Proof{}, ErrRefused
	}
	if err := s.Throttle.Succeed(ctx, t.ID, mfa.ThrottleAccount(account), ip); err != nil {
		s.Logger.ErrorContext(ctx, "reset passkey throttle failed", "cause", err.Error())
	}
	s.audit(ctx, t.ID, "member:"+proof.Member.ID, "passkey.success", proof.Member.ID, ip,
		map[string]string{"credential": short(credID), "second_factor": fmt.Sprint(memberID != "")})
	return proof, nil
}

// allow spends a throttle token: the member's second-factor buckets (the
// ones their codes use), or, for a passwordless try, the credential's.
func (s *Service) allow(ctx context.Context, tenantID, account, memberID, ip string) error {
	wait, err := s.Throttle.Allow(ctx, tenantID, mfa.ThrottleAccount(account), ip)
	if err != nil {
		return fmt.Errorf("passkeys: throttle: %w", err)
	}
	if wait > 0 {
		s.audit(ctx, tenantID, "anonymous", "passkey.failure", memberID, ip, map[string]string{"reason": "throttled"})
		return &mfa.Throttled{Wait: wait}
	}
	return nil
}

// verify returns a failure reason ("" on success). Proof.Member is set
// as soon as the credential names one, for the audit of a failure.
func (s *Service) verify(ctx context.Context, t model.Tenant, memberID, credID string, st state,
	parsed *protocol.ParsedCredentialAssertionData) (Proof, string, error) {
	p, err := s.Passkeys.GetPasskey(ctx, t.ID, credID)
	if errors.Is(err, model.ErrNotFound) || (err == nil && memberID != "" && p.MemberID != memberID) {
		return Proof{}, "unknown_credential", nil
	}
	if err != nil {
		return Proof{}, "", fmt.Errorf("passkeys: get passkey: %w", err)
	}
	m, err := s.Members.Get(ctx, t.ID, p.MemberID)
	if errors.Is(err, model.ErrNotFound) {
		return Proof{}, "unknown_credential", nil
	}
	if err != nil {
		return Proof{}, "", fmt.Errorf("passkeys: get member: %w", err)
	}
	proof := Proof{Member: m, Passkey: p}
	if m.Disabled {
		return proof, "disabled", nil
	}
	cred, reason, err := s.check(ctx, t, m, memberID == "", st, parsed)
	if err != nil || reason != "" {
		return proof, reason, err
	}
	advanced, err := s.Passkeys.UsePasskey(ctx, t.ID, credID, cred.Authenticator.SignCount, s.Now().UTC())
	if err != nil {
		return Proof{}, "", fmt.Errorf("passkeys: use passkey: %w", err)
	}
	if !advanced || cred.Authenticator.CloneWarning {
		return proof, "counter", nil
	}
	proof.AMR = amr(cred, parsed)
	return proof, "", nil
}

// check runs go-webauthn's verification: challenge, origin, relying
// party id hash, user presence (and verification when required),
// signature, and that the credential is the member's.
func (s *Service) check(ctx context.Context, t model.Tenant, m model.Member, discoverable bool, st state,
	parsed *protocol.ParsedCredentialAssertionData) (*webauthn.Credential, string, error) {
	rp, err := relyingParty(t)
	if err != nil {
		return nil, "", err
	}
	u, _, err := s.userOf(ctx, m)
	if err != nil {
		return nil, "", err
	}
	var cred *webauthn.Credential
	if discoverable {
		handler := func(rawID, userHandle []byte) (webauthn.User, error) {
			if !bytes.Equal(userHandle, []byte(m.ID)) {
				return nil, errors.New("user handle is not the credential's member")
			}
			return u, nil
		}
		_, cred, err = rp.ValidatePasskeyLogin(handler, st.Session, parsed)
	} else {
		cred, err = rp.ValidateLogin(u, st.Session, parsed)
	}
	if err != nil {
		s.refusal(ctx, "passkey assertion refused", err)
		return nil, "verification_failed", nil
	}
	return cred, "", nil
}

// amr is what a verified assertion proves (RFC 8176).
func amr(cred *webauthn.Credential, parsed *protocol.ParsedCredentialAssertionData) []string {
	out := []string{"hwk"}
	if cred.Flags.BackupEligible {
		out[0] = "swk"
	}
	if parsed.Response.AuthenticatorData.Flags.HasUserVerified() {
		out = append(out, "user")
	}
	return out
}

func parseAssertion(response []byte) (*protocol.ParsedCredentialAssertionData, error) {
	if len(response) == 0 || len(response) > maxResponse {
		return nil, ErrMalformed
	}
	return protocol.ParseCredentialRequestResponseBody(bytes.NewReader(response))
}
