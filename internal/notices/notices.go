// Package notices mails a member when how they sign in changes: their
// password, their address, their second factors. Whoever made the change
// knows of it; the notice is for the member who did not, so it goes to
// the address the member had before the change and offers the way back
// in (a password reset). Every service that makes such a change calls
// Notify, in the transaction of the change when there is one, so the
// notice is sent exactly when the change commits.
package notices

import (
	"context"
	"fmt"

	"github.com/guildgate/guildgate/internal/mail"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// ForgotPath is the forgot-password page (package account serves it),
// the way back in that every notice offers.
const ForgotPath = "/account/forgot"

// Change is what a notice is about.
type Change string

// The changes a member is told of.
const (
	PasswordChanged Change = "password_changed" // on their own page
	PasswordReset   Change = "password_reset"   // through a reset link
	// EmailChangeRequested goes to the old address when a new one is
	// asked for; the change waits for the link mailed to the new one.
	EmailChangeRequested Change = "email_change_requested"
	SecondFactorAdded    Change = "second_factor_added"   // an authenticator app or a passkey
	SecondFactorRemoved  Change = "second_factor_removed" // by the member
	FactorsReset         Change = "factors_reset"         // every second factor, by an administrator
)

var known = map[Change]bool{PasswordChanged: true, PasswordReset: true, EmailChangeRequested: true,
	SecondFactorAdded: true, SecondFactorRemoved: true, FactorsReset: true}

// Notifier queues notices. A nil Notifier, or one whose Mailer has mail
// off, sends nothing.
type Notifier struct {
	Mail *mail.Mailer
	// Outbox is the store's, for a change not made in a transaction.
	Outbox store.Outbox
}

// Notify queues the notice of c for member m, as they were before the
// change, after a change that was not made in a transaction.
func (n *Notifier) Notify(ctx context.Context, t model.Tenant, m model.Member, c Change) error {
	if n == nil {
		return nil
	}
	return n.NotifyIn(ctx, n.Outbox, t, m, c)
}

// NotifyIn writes the notice of c to st, the outbox of the transaction
// that makes the change, so that it is sent if and only if the change
// commits.
func (n *Notifier) NotifyIn(ctx context.Context, st store.Outbox, t model.Tenant, m model.Member, c Change) error {
	if c == EmailChangeRequested {
		return fmt.Errorf("notice %s: use NotifyEmailChangeIn", c)
	}
	return n.send(ctx, st, t, m, mail.Data{Change: string(c)})
}

// NotifyEmailChangeIn tells m's current address, in the transaction that
// makes the change link, that newEmail was asked for.
func (n *Notifier) NotifyEmailChangeIn(ctx context.Context, st store.Outbox, t model.Tenant, m model.Member, newEmail string) error {
	return n.send(ctx, st, t, m, mail.Data{Change: string(EmailChangeRequested), NewEmail: newEmail})
}

func (n *Notifier) send(ctx context.Context, st store.Outbox, t model.Tenant, m model.Member, d mail.Data) error {
	if n == nil {
		return nil
	}
	if !known[Change(d.Change)] {
		return fmt.Errorf("notice %q is not one Guildgate sends", d.Change)
	}
	d.Link = t.Issuer + ForgotPath
	return n.Mail.Send(ctx, st, t, mail.ToMember(m), mail.TemplateSecurityNotice, d)
}
