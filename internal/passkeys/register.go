package passkeys

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/guildgate/guildgate/internal/model"
)

// BeginRegistration makes the options for a new passkey of m: a
// discoverable credential (so it can sign in alone), user verification
// preferred, no attestation asked, and the member's existing passkeys
// excluded so one authenticator is not registered twice. binding ties the
// state to the browser and session.
func (s *Service) BeginRegistration(ctx context.Context, t model.Tenant, m model.Member, binding string) (Ceremony, error) {
	rp, err := relyingParty(t)
	if err != nil {
		return Ceremony{}, err
	}
	u, _, err := s.userOf(ctx, m)
	if err != nil {
		return Ceremony{}, err
	}
	var exclude []protocol.CredentialDescriptor
	for _, c := range u.creds {
		exclude = append(exclude, c.Descriptor())
	}
	creation, sd, err := rp.BeginRegistration(u,
		webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementRequired),
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			ResidentKey: protocol.ResidentKeyRequirementRequired, UserVerification: protocol.VerificationPreferred}),
		webauthn.WithExclusions(exclude))
	if err != nil {
		return Ceremony{}, fmt.Errorf("passkeys: begin registration: %w", err)
	}
	return s.seal(t, purposeRegister, binding, m.ID, creation.Response, sd)
}

// CleanName is a passkey name as stored: trimmed, without control
// characters, at most MaxNameLen characters; "" when nothing is left.
func CleanName(name string) string {
	name = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, strings.TrimSpace(name))
	if utf8.RuneCountInString(name) > MaxNameLen {
		name = string([]rune(name)[:MaxNameLen])
	}
	return strings.TrimSpace(name)
}

// FinishRegistration checks the browser's response against the state and
// stores the new passkey under name (see CleanName; the caller supplies a
// default for an empty one).
func (s *Service) FinishRegistration(ctx context.Context, t model.Tenant, m model.Member, binding, sealed, name string,
	response []byte, ip string) (model.Passkey, error) {
	actor := "member:" + m.ID
	parsed, err := parseCreation(response)
	if err != nil {
		s.audit(ctx, t.ID, actor, "passkey.enrol_failure", m.ID, ip, map[string]string{"reason": "malformed"})
		return model.Passkey{}, ErrMalformed
	}
	st, err := s.open(t, purposeRegister, binding, sealed)
	if err == nil && st.MemberID != m.ID {
		err = ErrExpired
	}
	if err != nil {
		s.audit(ctx, t.ID, actor, "passkey.enrol_failure", m.ID, ip, map[string]string{"reason": "expired"})
		return model.Passkey{}, err
	}
	if first, err := s.spend(ctx, t.ID, st); err != nil || !first {
		s.audit(ctx, t.ID, actor, "passkey.enrol_failure", m.ID, ip, map[string]string{"reason": "replayed"})
		return model.Passkey{}, errOr(err, ErrExpired)
	}
	cur, err := s.Members.Get(ctx, t.ID, m.ID)
	if err != nil || cur.Disabled {
		s.audit(ctx, t.ID, actor, "passkey.enrol_failure", m.ID, ip, map[string]string{"reason": "disabled"})
		return model.Passkey{}, errOr(ignoreNotFound(err), ErrRefused)
	}
	return s.create(ctx, t, cur, st, name, parsed, ip)
}

func (s *Service) create(ctx context.Context, t model.Tenant, m model.Member, st state, name string,
	parsed *protocol.ParsedCredentialCreationData, ip string) (model.Passkey, error) {
	actor := "member:" + m.ID
	rp, err := relyingParty(t)
	if err != nil {
		return model.Passkey{}, err
	}
	u, _, err := s.userOf(ctx, m)
	if err != nil {
		return model.Passkey{}, err
	}
	cred, err := rp.CreateCredential(u, st.Session, parsed)
	if err != nil {
		s.refusal(ctx, "passkey registration refused", err)
		s.audit(ctx, t.ID, actor, "passkey.enrol_failure", m.ID, ip, map[string]string{"reason": "verification_failed"})
		return model.Passkey{}, ErrRefused
	}
	record, err := encodeRecord(cred)
	if err != nil {
		return model.Passkey{}, err
	}
	p := model.Passkey{TenantID: t.ID, MemberID: m.ID, ID: base64.RawURLEncoding.EncodeToString(cred.ID),
		Name: name, Record: record, SignCount: cred.Authenticator.SignCount, CreatedAt: s.Now().UTC()}
	err = s.Passkeys.AddPasskey(ctx, p)
	if errors.Is(err, model.ErrConflict) {
		s.audit(ctx, t.ID, actor, "passkey.enrol_failure", m.ID, ip, map[string]string{"reason": "registered_already"})
		return model.Passkey{}, ErrRefused
	}
	if err != nil {
		return model.Passkey{}, fmt.Errorf("passkeys: store: %w", err)
	}
	s.audit(ctx, t.ID, actor, "passkey.enrolled", m.ID, ip, map[string]string{"credential": short(p.ID), "name": p.Name})
	return p, nil
}

func parseCreation(response []byte) (*protocol.ParsedCredentialCreationData, error) {
	if len(response) == 0 || len(response) > maxResponse {
		return nil, ErrMalformed
	}
	return protocol.ParseCredentialCreationResponseBody(bytes.NewReader(response))
}

// refusal logs why the library refused a response: the member sees one
// message, the operator the reason.
func (s *Service) refusal(ctx context.Context, what string, err error) {
	attrs := []any{"cause", err.Error()}
	var pe *protocol.Error
	if errors.As(err, &pe) {
		attrs = append(attrs, "type", pe.Type, "details", pe.Details)
	}
	s.Logger.InfoContext(ctx, what, attrs...)
}

func errOr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

func ignoreNotFound(err error) error {
	if errors.Is(err, model.ErrNotFound) {
		return nil
	}
	return err
}
