package onetime

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/mail"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/throttle"
)

// ForgotTTL is how long a reset link a member asked for by mail works:
// short, since the mailbox, not a person, passes it on.
const ForgotTTL = time.Hour

// forgotActor names an anonymous reset request in the audit log; the
// request's address goes in the event's IP.
const forgotActor = "forgot-password"

// Forgot handles "forgot your password" for the address typed: a member
// with that address, not disabled, who has a password, is mailed a reset
// link that replaces any earlier one. Everything else (no such member, a
// member without a password, a request over a limit) does nothing, and
// returns nil just the same, so the caller shows one answer whatever the
// address. Requests are limited per client address, per address typed and
// per member. Mail must be on (Mail.Enabled).
func (s *Service) Forgot(ctx context.Context, t model.Tenant, email, ip string) error {
	email = strings.TrimSpace(email)
	for use, subject := range map[string]string{throttle.UseResetIP: ip, throttle.UseResetEmail: email} {
		if wait, err := s.Throttle.AllowFor(ctx, t.ID, use, subject); err != nil || wait > 0 {
			return err
		}
	}
	m, err := s.Members.GetByEmail(ctx, t.ID, email)
	if errors.Is(err, model.ErrNotFound) {
		return nil
	} else if err != nil {
		return fmt.Errorf("forgot password: %w", err)
	}
	if m.Disabled || m.PasswordHash == "" {
		return nil // no password to reset: they sign in upstream, or await an invitation
	}
	if wait, err := s.Throttle.AllowFor(ctx, t.ID, throttle.UseResetMember, m.ID); err != nil || wait > 0 {
		return err
	}
	return s.Store.Atomic(ctx, func(tx store.Tx) error {
		token, l, err := s.issueIn(ctx, tx, forgotActor, ip, t.ID, model.PurposePasswordReset, m.ID, ForgotTTL)
		if err != nil {
			return err
		}
		return s.Mail.Send(ctx, tx.Outbox(), t, mail.To{Email: m.Email, Name: m.Name}, mail.TemplatePasswordReset,
			mail.Data{Link: t.Issuer + ResetPath + token, Valid: validFor(l)})
	})
}

// issueIn is issue inside a transaction, so that the link, its audit
// event and the mail that carries it commit together.
func (s *Service) issueIn(ctx context.Context, tx store.Tx, actor, ip, tenantID string, p model.LinkPurpose, memberID string, ttl time.Duration) (string, model.OneTimeLink, error) {
	if _, err := tx.OneTimeLinks().DeleteUnused(ctx, tenantID, p, memberID); err != nil {
		return "", model.OneTimeLink{}, fmt.Errorf("replace earlier %s: %w", kinds[p].name, err)
	}
	token, now := ids.NewToken(32), s.now()
	l := model.OneTimeLink{Hash: ids.Hash(token), TenantID: tenantID, Purpose: p, MemberID: memberID,
		CreatedBy: actor, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := tx.OneTimeLinks().Create(ctx, l); err != nil {
		return "", model.OneTimeLink{}, fmt.Errorf("create %s: %w", kinds[p].name, err)
	}
	e := model.AuditEvent{TenantID: tenantID, At: now, Actor: actor, IP: ip, Action: kinds[p].action + ".create",
		Target: "member:" + memberID, Detail: map[string]string{"expires_at": l.ExpiresAt.Format(time.RFC3339), "sent": "mail"}}
	if err := tx.Audit().Append(ctx, e); err != nil {
		return "", model.OneTimeLink{}, fmt.Errorf("record %s: %w", e.Action, err)
	}
	return token, l, nil
}

// validFor is a link's lifetime, which its mail states.
func validFor(l model.OneTimeLink) time.Duration { return l.ExpiresAt.Sub(l.CreatedAt) }

// PasswordChangedNotice mails the member that their password changed, with
// the way back in should it not have been them. No-op without mail.
func (s *Service) PasswordChangedNotice(ctx context.Context, t model.Tenant, m model.Member) error {
	if !s.Mail.Enabled() {
		return nil
	}
	return s.Mail.Send(ctx, s.Store.Outbox(), t, mail.To{Email: m.Email, Name: m.Name}, mail.TemplatePasswordChanged,
		mail.Data{Link: t.Issuer + "/account/forgot"})
}
