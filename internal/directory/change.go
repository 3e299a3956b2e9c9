package directory

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/guildgate/guildgate/internal/inputs"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/password"
	"github.com/guildgate/guildgate/internal/problem"
)

// MemberPatch changes only the fields that are non-nil. Changing the email
// clears EmailVerified unless the patch sets it too: a new address has not
// been proven, and upstream sign-in links members by verified email.
type MemberPatch struct {
	Email, Name, GivenName, FamilyName, LegacyID *string
	Status                                       *model.MemberStatus
	EmailVerified, Admin                         *bool
	// Language is the member's remembered language, one of i18n.Languages,
	// or "" to forget it.
	Language *string
}

func (p MemberPatch) normalized() MemberPatch {
	for _, f := range []**string{&p.Email, &p.Name, &p.GivenName, &p.FamilyName, &p.LegacyID} {
		*f = trim(*f)
	}
	if p.Language != nil {
		v := strings.ToLower(strings.TrimSpace(*p.Language))
		p.Language = &v
	}
	return p
}

// Validate reports every problem with p, as UpdateMember would.
func (p MemberPatch) Validate() error {
	p = p.normalized()
	var ps problem.List
	if p.fields() == "" {
		ps.Check("", "nothing to change")
	}
	problem.CheckIf(&ps, "email", p.Email, checkEmail)
	if p.Name != nil {
		ps.Check("name", inputs.CheckText(*p.Name, true, MaxNameLength))
	}
	for field, v := range map[string]*string{"given_name": p.GivenName, "family_name": p.FamilyName} {
		if v != nil {
			ps.Check(field, inputs.CheckText(*v, false, MaxNameLength))
		}
	}
	if p.LegacyID != nil {
		ps.Check("legacy_id", inputs.CheckText(*p.LegacyID, false, MaxLegacyIDLength))
	}
	problem.CheckIf(&ps, "status", p.Status, checkStatus)
	problem.CheckIf(&ps, "language", p.Language, checkLanguage)
	return ps.Err()
}

func (p MemberPatch) fields() string {
	return inputs.FieldNames(map[string]bool{
		"email": p.Email != nil, "name": p.Name != nil, "given_name": p.GivenName != nil,
		"family_name": p.FamilyName != nil, "legacy_id": p.LegacyID != nil, "status": p.Status != nil,
		"email_verified": p.EmailVerified != nil, "admin": p.Admin != nil, "language": p.Language != nil,
	})
}

func (p MemberPatch) apply(m model.Member) model.Member {
	if p.Email != nil && !strings.EqualFold(*p.Email, m.Email) && p.EmailVerified == nil {
		m.EmailVerified = false
	}
	inputs.Set(&m.Email, p.Email)
	inputs.Set(&m.Name, p.Name)
	inputs.Set(&m.GivenName, p.GivenName)
	inputs.Set(&m.FamilyName, p.FamilyName)
	inputs.Set(&m.LegacyID, p.LegacyID)
	inputs.Set(&m.Status, p.Status)
	inputs.Set(&m.EmailVerified, p.EmailVerified)
	inputs.Set(&m.Admin, p.Admin)
	inputs.Set(&m.Language, p.Language)
	return m
}

// UpdateMember applies p to the member with id. Nothing changes when any
// field is invalid.
func (s *Service) UpdateMember(ctx context.Context, actor, tenantID, id string, p MemberPatch) (model.Member, error) {
	if err := p.Validate(); err != nil {
		return model.Member{}, err
	}
	p = p.normalized()
	var m model.Member
	err := s.inTx(ctx, func(s *Service) error {
		var err error
		m, err = s.change(ctx, tenantID, id, p.apply)
		if errors.Is(err, model.ErrConflict) && p.Email != nil {
			return emailTaken(err, *p.Email, "update member")
		} else if err != nil {
			return err
		}
		return s.audit(ctx, actor, tenantID, "member.update", memberTarget(id), map[string]string{"fields": p.fields()})
	})
	return m, err
}

// RememberLanguage makes lang the member's remembered language when it is
// not already, as the member's own act: an application asked for it in
// ui_locales while they signed in, which is the member's latest choice.
func (s *Service) RememberLanguage(ctx context.Context, tenantID string, m model.Member, lang string) error {
	if m.Language == lang {
		return nil
	}
	_, err := s.UpdateMember(ctx, "member:"+m.ID, tenantID, m.ID, MemberPatch{Language: &lang})
	return err
}

// change runs fn on the member inside the store's transaction, stamps
// UpdatedAt and tells Events what changed. Call it on a copy bound by inTx.
func (s *Service) change(ctx context.Context, tenantID, id string, fn func(model.Member) model.Member) (model.Member, error) {
	var old model.Member
	m, err := s.Members.Update(ctx, tenantID, id, func(m model.Member) (model.Member, error) {
		old = m
		m = fn(m)
		m.UpdatedAt = s.now()
		return m, nil
	})
	if errors.Is(err, model.ErrNotFound) {
		return m, notFound(err, "member with id "+id)
	} else if err != nil {
		return m, fmt.Errorf("update member %s: %w", id, err)
	}
	if s.Events == nil {
		return m, nil
	}
	return m, s.Events.Changed(ctx, s.tx, old, m)
}

// DisableMember stops the member signing in, ends their sessions and
// revokes their tokens, so a disabled member is signed out of Guildgate and
// every app at once, and enabling them later brings none of it back.
func (s *Service) DisableMember(ctx context.Context, actor, tenantID, id string) (model.Member, error) {
	var m model.Member
	err := s.inTx(ctx, func(s *Service) error {
		var err error
		if m, err = s.change(ctx, tenantID, id, func(m model.Member) model.Member { m.Disabled = true; return m }); err != nil {
			return err
		}
		if err := s.signOutEverywhere(ctx, tenantID, id); err != nil {
			return err
		}
		return s.audit(ctx, actor, tenantID, "member.disable", memberTarget(id), nil)
	})
	return m, err
}

// EnableMember lets a disabled member sign in again.
func (s *Service) EnableMember(ctx context.Context, actor, tenantID, id string) (model.Member, error) {
	var m model.Member
	err := s.inTx(ctx, func(s *Service) error {
		var err error
		if m, err = s.change(ctx, tenantID, id, func(m model.Member) model.Member { m.Disabled = false; return m }); err != nil {
			return err
		}
		return s.audit(ctx, actor, tenantID, "member.enable", memberTarget(id), nil)
	})
	return m, err
}

// DeleteMember removes the member with their group memberships, sessions
// and grants (the store deletes those with the member), so every token
// issued to them stops working at once. The member.deleted event carries
// the member as they were, groups included.
func (s *Service) DeleteMember(ctx context.Context, actor, tenantID, id string) error {
	return s.inTx(ctx, func(s *Service) error {
		m, err := s.Member(ctx, tenantID, id)
		if err != nil {
			return err
		}
		if err := s.memberEvent(ctx, model.EventMemberDeleted, m); err != nil {
			return err
		}
		if err := s.Members.Delete(ctx, tenantID, id); errors.Is(err, model.ErrNotFound) {
			return notFound(err, "member with id "+id)
		} else if err != nil {
			return fmt.Errorf("delete member %s: %w", m.Email, err)
		}
		return s.audit(ctx, actor, tenantID, "member.delete", memberTarget(id), map[string]string{"email": m.Email})
	})
}

// SetPassword replaces the member's password, ends their sessions and
// revokes their tokens, so whoever knew the old one is signed out of
// Guildgate and of every app.
func (s *Service) SetPassword(ctx context.Context, actor, tenantID, id, pw string) error {
	hashed, err := s.HashPassword(ctx, pw) // before the transaction: hashing is slow on purpose
	if err != nil {
		return err
	}
	return s.SetHashedPassword(ctx, actor, tenantID, id, hashed)
}

// HashedPassword is a password checked and hashed ahead of the transaction
// that stores it: hashing is slow on purpose, and a transaction should not
// hold the store's writer meanwhile. Only HashPassword makes one.
type HashedPassword struct{ hash string }

// HashPassword checks pw as SetPassword would and hashes it.
func (s *Service) HashPassword(ctx context.Context, pw string) (HashedPassword, error) {
	if err := CheckPassword(pw); err != nil {
		return HashedPassword{}, err
	}
	hash, err := s.hash(ctx, pw)
	return HashedPassword{hash}, err
}

// SetHashedPassword is SetPassword with the password hashed ahead.
func (s *Service) SetHashedPassword(ctx context.Context, actor, tenantID, id string, pw HashedPassword) error {
	if pw.hash == "" {
		return errors.New("set password: no password hashed") // the zero value would remove it
	}
	return s.inTx(ctx, func(s *Service) error {
		if _, err := s.change(ctx, tenantID, id, func(m model.Member) model.Member { m.PasswordHash = pw.hash; return m }); err != nil {
			return err
		}
		if err := s.signOutEverywhere(ctx, tenantID, id); err != nil {
			return err
		}
		return s.audit(ctx, actor, tenantID, "member.password.set", memberTarget(id), nil)
	})
}

// CheckPassword reports, as SetPassword would, why pw is unacceptable.
func CheckPassword(pw string) error {
	if err := password.Validate(pw); err != nil {
		return &problem.Invalid{Problems: []problem.Problem{{Field: "password", Message: err.Error()}}}
	}
	return nil
}
