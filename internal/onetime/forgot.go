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
	return s.Atomic(ctx, func(tx store.Tx) error {
		token, l, err := s.issueIn(ctx, tx, forgotActor, ip, model.OneTimeLink{TenantID: t.ID, Purpose: model.PurposePasswordReset,
			MemberID: m.ID}, ForgotTTL)
		if err != nil {
			return err
		}
		return s.Mail.Send(ctx, tx.Outbox(), t, mail.ToMember(m), mail.TemplatePasswordReset,
			mail.Data{Link: t.Issuer + ResetPath + token, Valid: validFor(l)})
	})
}

// issueIn is issue inside a transaction, so that the link, its audit
// event and the mail that carries it commit together. l names the link's
// tenant, purpose, member and (for an email link) address; it replaces the
// member's unused links of its purpose.
func (s *Service) issueIn(ctx context.Context, tx store.Tx, actor, ip string, l model.OneTimeLink, ttl time.Duration) (string, model.OneTimeLink, error) {
	if _, err := tx.OneTimeLinks().DeleteUnused(ctx, l.TenantID, l.Purpose, l.MemberID); err != nil {
		return "", model.OneTimeLink{}, fmt.Errorf("replace earlier %s: %w", kinds[l.Purpose].name, err)
	}
	token, now := ids.NewToken(32), s.now()
	l.Hash, l.CreatedBy, l.CreatedAt, l.ExpiresAt = ids.Hash(token), actor, now, now.Add(ttl)
	if err := tx.OneTimeLinks().Create(ctx, l); err != nil {
		return "", model.OneTimeLink{}, fmt.Errorf("create %s: %w", kinds[l.Purpose].name, err)
	}
	sent := "shown" // to the administrator, who passes it on
	if s.Mail.Enabled() {
		sent = "mail"
	}
	detail := map[string]string{"expires_at": l.ExpiresAt.Format(time.RFC3339), "sent": sent}
	if l.Email != "" {
		detail["email"] = l.Email
	}
	e := model.AuditEvent{TenantID: l.TenantID, At: now, Actor: actor, IP: ip, Action: kinds[l.Purpose].action + ".create",
		Target: "member:" + l.MemberID, Detail: detail}
	if err := tx.Audit().Append(ctx, e); err != nil {
		return "", model.OneTimeLink{}, fmt.Errorf("record %s: %w", e.Action, err)
	}
	return token, l, nil
}

// validFor is a link's lifetime, which its mail states.
func validFor(l model.OneTimeLink) time.Duration { return l.ExpiresAt.Sub(l.CreatedAt) }
