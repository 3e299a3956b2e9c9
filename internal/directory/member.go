package directory

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/inputs"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/password"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/store"
)

// MemberInput is a new member. Text fields are trimmed (see inputs.Trim).
// Status is current when not given (nil); a status given empty is refused,
// like any other that is not one of the statuses. Password is optional
// (members may sign in only through an upstream provider) and is hashed,
// never kept.
type MemberInput struct {
	Email, Name, GivenName, FamilyName, LegacyID string
	Status                                       *model.MemberStatus
	EmailVerified, Admin                         bool
	Password                                     string
	// Language is the member's remembered language, one of i18n.Languages,
	// or "" for none.
	Language string
}

func (in MemberInput) normalized() MemberInput {
	for _, f := range []*string{&in.Email, &in.Name, &in.GivenName, &in.FamilyName, &in.LegacyID} {
		*f = inputs.Trim(*f)
	}
	status := model.StatusCurrent
	if in.Status != nil {
		status = model.MemberStatus(inputs.Trim(string(*in.Status)))
	}
	in.Status = &status
	in.Language = strings.ToLower(strings.TrimSpace(in.Language))
	return in
}

// Validate reports every problem with in, as AddMember would, without
// touching the store; callers use it to refuse bad input before any set-up.
func (in MemberInput) Validate() error {
	in = in.normalized()
	var ps problem.List
	ps.Check("email", checkEmail(in.Email))
	ps.Check("name", inputs.CheckText(in.Name, true, MaxNameLength))
	ps.Check("given_name", inputs.CheckText(in.GivenName, false, MaxNameLength))
	ps.Check("family_name", inputs.CheckText(in.FamilyName, false, MaxNameLength))
	ps.Check("legacy_id", inputs.CheckText(in.LegacyID, false, MaxLegacyIDLength))
	ps.Check("status", checkStatus(*in.Status))
	ps.Check("language", checkLanguage(in.Language))
	if in.Password != "" {
		ps.Check("password", errText(password.Validate(in.Password)))
	}
	return ps.Err()
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// AddMember creates a member in the tenant.
func (s *Service) AddMember(ctx context.Context, actor, tenantID string, in MemberInput) (model.Member, error) {
	if err := in.Validate(); err != nil {
		return model.Member{}, err
	}
	hash, err := s.hash(ctx, in.Password)
	if err != nil {
		return model.Member{}, err
	}
	return s.add(ctx, actor, tenantID, in.normalized(), hash)
}

// AddMemberHashed is AddMember with the password hashed ahead (see
// HashedPassword); in.Password is ignored. The zero pw adds a member
// without a password.
func (s *Service) AddMemberHashed(ctx context.Context, actor, tenantID string, in MemberInput, pw HashedPassword) (model.Member, error) {
	in.Password = ""
	if err := in.Validate(); err != nil {
		return model.Member{}, err
	}
	return s.add(ctx, actor, tenantID, in.normalized(), pw.hash)
}

func (s *Service) add(ctx context.Context, actor, tenantID string, in MemberInput, hash string) (model.Member, error) {
	now := s.now()
	m := model.Member{
		ID: ids.NewUUID(), TenantID: tenantID, Email: in.Email, EmailVerified: in.EmailVerified,
		Name: in.Name, GivenName: in.GivenName, FamilyName: in.FamilyName, LegacyID: in.LegacyID,
		Status: *in.Status, Admin: in.Admin, PasswordHash: hash, Language: in.Language, CreatedAt: now, UpdatedAt: now,
	}
	err := s.inTx(ctx, func(s *Service) error {
		if err := s.Members.Create(ctx, m); err != nil {
			return emailTaken(err, m.Email, "add member")
		}
		if err := s.audit(ctx, actor, tenantID, "member.create", memberTarget(m.ID), map[string]string{"email": m.Email}); err != nil {
			return err
		}
		return s.memberEvent(ctx, model.EventMemberCreated, m)
	})
	if err != nil {
		return model.Member{}, err
	}
	return m, nil
}

func (s *Service) hash(ctx context.Context, pw string) (string, error) {
	if pw == "" {
		return "", nil
	}
	h, err := s.Hasher.Hash(ctx, pw)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

func emailTaken(err error, email, doing string) error {
	if errors.Is(err, model.ErrConflict) {
		return &problem.Conflict{Msg: fmt.Sprintf("a member with email %s already exists", email), Err: err}
	}
	return fmt.Errorf("%s %s: %w", doing, email, err)
}

func memberTarget(id string) string { return "member:" + id }

// Member finds a member by id.
func (s *Service) Member(ctx context.Context, tenantID, id string) (model.Member, error) {
	m, err := s.Members.Get(ctx, tenantID, id)
	return m, notFound(err, "member with id "+id)
}

// MemberByEmail finds a member by email, case-insensitively.
func (s *Service) MemberByEmail(ctx context.Context, tenantID, email string) (model.Member, error) {
	email = strings.TrimSpace(email)
	m, err := s.Members.GetByEmail(ctx, tenantID, email)
	return m, notFound(err, "member with email "+email)
}

// notFound turns the store's ErrNotFound into a message naming what, e.g.
// "no member with email x@example.org".
func notFound(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, model.ErrNotFound):
		return &problem.NotFound{Msg: "no " + what, Err: err}
	}
	return fmt.Errorf("look up %s: %w", what, err)
}

// ListMembers returns one page of members matching q.Search.
func (s *Service) ListMembers(ctx context.Context, tenantID string, q store.MemberQuery) (store.Page[model.Member], error) {
	if q.Limit < 0 || q.Limit > store.MaxLimit {
		return store.Page[model.Member]{}, &problem.Invalid{Problems: []problem.Problem{{Field: "limit", Message: fmt.Sprintf("must be between 1 and %d", store.MaxLimit)}}}
	}
	q.Search = strings.TrimSpace(q.Search)
	p, err := s.Members.List(ctx, tenantID, q)
	if err != nil {
		return p, fmt.Errorf("list members: %w", err)
	}
	return p, nil
}

// GroupsOf returns the member's groups ordered by name.
func (s *Service) GroupsOf(ctx context.Context, tenantID, memberID string) ([]model.Group, error) {
	gs, err := s.Groups.ListForMember(ctx, tenantID, memberID)
	if err != nil {
		return nil, fmt.Errorf("list groups of member %s: %w", memberID, err)
	}
	return gs, nil
}
