package onetime

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/mail"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/throttle"
)

// VerifyTTL is how long a link proving an address works; VerifyPath is
// its page.
const (
	VerifyTTL  = 24 * time.Hour
	VerifyPath = "/account/verify/"
)

// Refusals of an address link request, each shown to the member as it is.
var (
	// ErrMailOff: the site sends no mail, so no address can be proven.
	ErrMailOff = errors.New("this site sends no mail")
	// ErrTooSoon: the member asked for links too often; a few minutes on,
	// they may again.
	ErrTooSoon = errors.New("a link was mailed a moment ago; wait a few minutes before asking again")
	// ErrSameEmail: the new address is the one the member has.
	ErrSameEmail = errors.New("that is already your address")
)

// SendVerification mails the member a link that proves their current
// address (email_verified turns true when it is opened), replacing their
// unused one; the link, its audit event and the mail commit together. It
// does nothing for an address already verified. actor is the member, or
// the administrator who asked on their behalf; ip is the client address.
func (s *Service) SendVerification(ctx context.Context, actor, ip string, t model.Tenant, m model.Member) error {
	if !s.Mail.Enabled() {
		return ErrMailOff
	}
	if m.EmailVerified {
		return nil
	}
	if err := s.allowAddressMail(ctx, t.ID, m.ID); err != nil {
		return err
	}
	return s.Atomic(ctx, func(tx store.Tx) error {
		return s.mailAddressLink(ctx, tx, actor, ip, t, m,
			model.OneTimeLink{TenantID: t.ID, Purpose: model.PurposeEmailVerify, MemberID: m.ID, Email: m.Email})
	})
}

// RequestEmailChange starts moving the member to newEmail: once they prove
// the current password, a link goes to the new address and a notice to
// the old one, in one transaction with the link. The address changes only
// when the link is opened (ConfirmEmail). Whether another member has
// newEmail is not said here (that would tell a member who else is one);
// the link is refused then instead.
func (s *Service) RequestEmailChange(ctx context.Context, ip string, t model.Tenant, m model.Member, newEmail, currentPassword string) error {
	if !s.Mail.Enabled() {
		return ErrMailOff
	}
	newEmail = strings.TrimSpace(newEmail)
	if err := (directory.MemberPatch{Email: &newEmail}).Validate(); err != nil {
		return err
	}
	if strings.EqualFold(newEmail, m.Email) {
		return ErrSameEmail
	}
	// The limit comes before the password, so it bounds guesses too.
	if err := s.allowAddressMail(ctx, t.ID, m.ID); err != nil {
		return err
	}
	if err := s.Dir.CheckCurrentPassword(ctx, t.ID, m.ID, currentPassword); err != nil {
		return err
	}
	return s.Atomic(ctx, func(tx store.Tx) error {
		l := model.OneTimeLink{TenantID: t.ID, Purpose: model.PurposeEmailChange, MemberID: m.ID, Email: newEmail}
		if err := s.mailAddressLink(ctx, tx, "member:"+m.ID, ip, t, m, l); err != nil {
			return err
		}
		return s.Notices.NotifyEmailChangeIn(ctx, tx.Outbox(), t, m, newEmail)
	})
}

func (s *Service) allowAddressMail(ctx context.Context, tenantID, memberID string) error {
	wait, err := s.Throttle.AllowFor(ctx, tenantID, throttle.UseVerifyMember, memberID)
	if err != nil {
		return err
	}
	if wait > 0 {
		return ErrTooSoon
	}
	return nil
}

// mailAddressLink makes the link l in tx and mails it to l.Email.
func (s *Service) mailAddressLink(ctx context.Context, tx store.Tx, actor, ip string, t model.Tenant, m model.Member, l model.OneTimeLink) error {
	token, l, err := s.issueIn(ctx, tx, actor, ip, l, VerifyTTL)
	if err != nil {
		return err
	}
	return s.Mail.Send(ctx, tx.Outbox(), t, mail.To{Email: l.Email, Name: m.Name, Lang: m.Language}, mail.TemplateVerifyEmail,
		mail.Data{Link: t.Issuer + VerifyPath + token, Valid: validFor(l)})
}

// OpenEmailLink returns the address link named by token and its member
// while it may still be used. A verification link stops working when the
// member's address changes: it proved another one.
func (s *Service) OpenEmailLink(ctx context.Context, tenantID, token string) (model.OneTimeLink, model.Member, error) {
	l, err := s.open(ctx, tenantID, model.PurposeEmailVerify, token, model.PurposeEmailChange)
	if err != nil {
		return l, model.Member{}, err
	}
	m, err := s.Members.Get(ctx, tenantID, l.MemberID)
	if errors.Is(err, model.ErrNotFound) || (err == nil && m.Disabled) ||
		(err == nil && l.Purpose == model.PurposeEmailVerify && !strings.EqualFold(m.Email, l.Email)) {
		return l, m, unusable("this verification link is no longer valid; ask for a new one")
	}
	return l, m, err
}

// ConfirmEmail uses the address link: the member's address becomes the
// link's (for a change) and is marked verified, since the link reached
// them there. The link is used in the transaction that changes the member,
// so an address another member took meanwhile (found by addressFree, or
// by the unique index in a race) is refused and the link kept.
func (s *Service) ConfirmEmail(ctx context.Context, tenantID, token string) (model.Member, error) {
	l, m, err := s.OpenEmailLink(ctx, tenantID, token)
	if err != nil {
		return m, err
	}
	if err := s.addressFree(ctx, l, m); err != nil {
		return m, err
	}
	verified := true
	patch := directory.MemberPatch{EmailVerified: &verified}
	if l.Purpose == model.PurposeEmailChange {
		patch.Email = &l.Email
	}
	err = s.inTx(ctx, func(s *Service) error {
		if err := s.redeem(ctx, l, map[string]string{"email": l.Email}); err != nil {
			return err
		}
		var err error
		m, err = s.Dir.UpdateMember(ctx, linkActor(l), tenantID, m.ID, patch)
		if errors.Is(err, model.ErrConflict) { // taken since addressFree: the unique index says so
			return addressTaken(l.Email, err)
		}
		return err
	})
	return m, err
}

// addressFree refuses a change to an address another member has.
func (s *Service) addressFree(ctx context.Context, l model.OneTimeLink, m model.Member) error {
	if l.Purpose != model.PurposeEmailChange {
		return nil
	}
	other, err := s.Members.GetByEmail(ctx, l.TenantID, l.Email)
	switch {
	case errors.Is(err, model.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("look up %s: %w", l.Email, err)
	case other.ID != m.ID:
		return addressTaken(l.Email, nil)
	}
	return nil
}

func addressTaken(email string, err error) error {
	return &problem.Conflict{Msg: "another account uses " + email + "; keep your address, or ask your administrator", Err: err}
}
