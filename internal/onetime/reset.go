package onetime

import (
	"context"
	"errors"

	"github.com/guildgate/guildgate/internal/model"
)

// ResetLink makes a password-reset link for the member, replacing their
// unused one; actor is the administrator or API key who asked, and passes
// the link on.
func (s *Service) ResetLink(ctx context.Context, actor, tenantID, memberID string) (string, model.OneTimeLink, error) {
	m, err := s.Dir.Member(ctx, tenantID, memberID)
	if err != nil {
		return "", model.OneTimeLink{}, err
	}
	return s.issue(ctx, actor, tenantID, model.PurposePasswordReset, m.ID, ResetTTL)
}

// OpenReset returns the reset link named by token and its member while the
// link may still be used.
func (s *Service) OpenReset(ctx context.Context, tenantID, token string) (model.OneTimeLink, model.Member, error) {
	l, err := s.open(ctx, tenantID, model.PurposePasswordReset, token)
	if err != nil {
		return l, model.Member{}, err
	}
	m, err := s.Members.Get(ctx, tenantID, l.MemberID)
	if errors.Is(err, model.ErrNotFound) {
		return l, m, unusable("this password-reset link is no longer valid; ask for a new one")
	}
	return l, m, err
}

// CompleteReset checks pw, then uses the link and sets the member's
// password, which ends every session they had, in one transaction.
func (s *Service) CompleteReset(ctx context.Context, tenantID, token, pw string) (model.Member, error) {
	l, m, err := s.OpenReset(ctx, tenantID, token)
	if err != nil {
		return m, err
	}
	hashed, err := s.Dir.HashPassword(ctx, pw) // before the transaction: hashing is slow on purpose
	if err != nil {
		return m, err
	}
	return m, s.inTx(ctx, func(s *Service) error {
		if err := s.redeem(ctx, l, nil); err != nil {
			return err
		}
		return s.Dir.SetHashedPassword(ctx, linkActor(l), tenantID, m.ID, hashed)
	})
}
