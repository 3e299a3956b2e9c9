// Package onetime issues and redeems the single-use links that let a person
// do one thing without signing in: create a site's first administrator, or
// choose a new password, accept an invitation. A link is either shown once
// to whoever asked for it (the operator when serve starts, an administrator
// in the console or the API) to pass on, or mailed to its member through
// the outbox, in the transaction that makes it. Only the token's hash is stored,
// and a link is used by one atomic statement, so two requests (or two
// replicas) can never both accept it. The CLI, the console, the API and the
// link pages all go through this service, so the rules live in one place.
package onetime

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/guildgate/guildgate/internal/auditlog"
	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/mail"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/notices"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/throttle"
)

// How long a link works, and where its page lives (the token follows).
const (
	SetupTTL  = time.Hour
	ResetTTL  = 24 * time.Hour
	SetupPath = "/admin/setup/"
	ResetPath = "/account/reset/"
)

// ErrUnusable is wrapped by every refusal of a link: unknown, of another
// purpose, used or expired. The message says which in plain words.
var ErrUnusable = errors.New("one-time link unusable")

// Service applies the link rules over the store. Every field is required.
type Service struct {
	Links   store.OneTimeLinks
	Members store.Members
	Dir     *directory.Service // creates the administrator, sets the password
	Audit   store.Audit
	Now     func() time.Time
	// Atomic runs fn in one transaction (store.Store.Atomic): a link's use
	// commits with the change it stands for, and a mailed link (Forgot,
	// invitations) with its mail. Required.
	Atomic func(ctx context.Context, fn func(tx store.Tx) error) error
	// Mail and Throttle serve the links that go by mail. Services that
	// only print links may leave them nil.
	Mail     *mail.Mailer
	Throttle *throttle.Limiter
	// Notices tells a member of a change to how they sign in that a link
	// made (a reset) or asked for (a new address).
	Notices *notices.Notifier
}

func (s *Service) now() time.Time { return s.Now().UTC() }

// kinds are what each purpose is called in the audit log and on its pages.
var kinds = map[model.LinkPurpose]struct{ action, name string }{
	model.PurposeAdminSetup:    {"admin.setup_link", "setup link"},
	model.PurposePasswordReset: {"member.password.reset_link", "password-reset link"},
	model.PurposeInvitation:    {"member.invitation", "invitation link"},
	model.PurposeEmailVerify:   {"member.email.verify_link", "verification link"},
	model.PurposeEmailChange:   {"member.email.change_link", "verification link"},
}

// issue makes a link valid for ttl and removes the unused links of its
// purpose and member that it replaces. The token is returned once.
func (s *Service) issue(ctx context.Context, actor, tenantID string, p model.LinkPurpose, memberID string, ttl time.Duration) (string, model.OneTimeLink, error) {
	if _, err := s.Links.DeleteUnused(ctx, tenantID, p, memberID); err != nil {
		return "", model.OneTimeLink{}, fmt.Errorf("replace earlier %s: %w", kinds[p].name, err)
	}
	token, now := ids.NewToken(32), s.now()
	l := model.OneTimeLink{Hash: ids.Hash(token), TenantID: tenantID, Purpose: p, MemberID: memberID,
		CreatedBy: actor, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := s.Links.Create(ctx, l); err != nil {
		return "", model.OneTimeLink{}, fmt.Errorf("create %s: %w", kinds[p].name, err)
	}
	return token, l, s.audit(ctx, actor, l, ".create", map[string]string{"expires_at": l.ExpiresAt.Format(time.RFC3339)})
}

// open returns the link named by token when it may still be used for p
// (or one of the also purposes, which share p's page).
func (s *Service) open(ctx context.Context, tenantID string, p model.LinkPurpose, token string, also ...model.LinkPurpose) (model.OneTimeLink, error) {
	l, err := s.Links.Get(ctx, tenantID, ids.Hash(token))
	if errors.Is(err, model.ErrNotFound) || (err == nil && l.Purpose != p && !slices.Contains(also, l.Purpose)) {
		return l, unusable("this " + kinds[p].name + " is not valid; check that it was copied whole")
	} else if err != nil {
		return l, fmt.Errorf("look up %s: %w", kinds[p].name, err)
	}
	return l, s.usable(l)
}

func (s *Service) usable(l model.OneTimeLink) error {
	if !l.UsedAt.IsZero() {
		return unusable("this " + kinds[l.Purpose].name + " has already been used; ask for a new one")
	}
	return s.unexpired(l)
}

func (s *Service) unexpired(l model.OneTimeLink) error {
	if !s.now().Before(l.ExpiresAt) {
		return unusable("this " + kinds[l.Purpose].name + " has expired; ask for a new one")
	}
	return nil
}

// redeem uses the link l that open returned: of concurrent callers exactly
// one gets nil. Call it on a copy bound by inTx, with the change the link
// stands for: a change refused rolls the use back, so the link is not
// spent on it.
func (s *Service) redeem(ctx context.Context, l model.OneTimeLink, detail map[string]string) error {
	used, first, err := s.Links.Consume(ctx, l.TenantID, l.Hash, s.now())
	if errors.Is(err, model.ErrNotFound) { // swept or its member deleted meanwhile
		return unusable("this " + kinds[l.Purpose].name + " is no longer valid; ask for a new one")
	} else if err != nil {
		return fmt.Errorf("use %s: %w", kinds[l.Purpose].name, err)
	}
	if !first {
		return s.usable(used)
	}
	if err := s.unexpired(used); err != nil {
		return err // it expired since open
	}
	return s.audit(ctx, linkActor(l), l, ".use", detail)
}

// inTx runs fn with a copy of s bound to one transaction: its links,
// members, audit log and directory are the transaction's, so using a link
// and making the change it stands for commit together or not at all.
// Inside fn only the copy may be used: on SQLite the plain store would
// wait forever for the writer the transaction holds.
func (s *Service) inTx(ctx context.Context, fn func(s *Service) error) error {
	return s.Atomic(ctx, func(tx store.Tx) error { return fn(s.in(tx)) })
}

// in returns the copy of s that inTx binds to tx, for a caller that also
// needs tx itself (its outbox).
func (s *Service) in(tx store.Tx) *Service {
	b := *s
	b.Links, b.Members, b.Audit, b.Dir = tx.OneTimeLinks(), tx.Members(), tx.Audit(), s.Dir.In(tx)
	return &b
}

// linkActor names whoever holds the link, in the audit log, by a prefix of
// its hash: enough to tie the use to the link's creation, useless to redeem.
func linkActor(l model.OneTimeLink) string { return "link:" + l.Hash[:12] }

func (s *Service) audit(ctx context.Context, actor string, l model.OneTimeLink, suffix string, detail map[string]string) error {
	target := "tenant:" + l.TenantID
	if l.MemberID != "" {
		target = "member:" + l.MemberID
	}
	return auditlog.Record(ctx, s.Audit, model.AuditEvent{TenantID: l.TenantID, At: s.now(), Actor: actor,
		Action: kinds[l.Purpose].action + suffix, Target: target, Detail: detail})
}

func unusable(msg string) error { return &problem.NotFound{Msg: msg, Err: ErrUnusable} }
