// Package directory holds the rules of a tenant's member directory: what a
// valid member or group is, who belongs where, and what must happen alongside
// a change (ending sessions and revoking tokens on a password change or a
// disable, revoking a client's tokens when a member loses its groups, an
// audit event for every change). The
// CLI and the admin API both go through it, so neither can store a member the
// other would refuse.
package directory

import (
	"context"
	"time"

	"github.com/guildgate/guildgate/internal/auditlog"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/password"
	"github.com/guildgate/guildgate/internal/store"
)

// Service applies the directory rules over the store. Every method that
// changes something takes the audit actor ("cli", "member:<id>", …)
// explicitly, so each call site shows who acts; none reads it from a context.
type Service struct {
	Members  store.Members
	Groups   store.Groups
	Sessions store.Sessions
	// Grants and Clients let a change revoke what it takes away: every grant
	// of a member whose password changes or who is disabled, and the grants
	// of the clients a member may no longer use after losing a group.
	Grants  store.Grants
	Clients store.Clients
	Audit   store.Audit
	Hasher  *password.Hasher
	Now     func() time.Time
	// Atomic runs each change with what must happen alongside it (its
	// revocations, its audit event, its webhook deliveries) in one
	// transaction (store.Store.Atomic). Required.
	Atomic func(ctx context.Context, fn func(tx store.Tx) error) error
	// Events hears of each change in the change's transaction
	// (webhooks.Events, which queues the tenant's webhook deliveries). The
	// app and the command line always set it; nil (tests of other rules)
	// notifies nobody.
	Events Events

	tx store.Tx // set on the copy inTx binds to a transaction
}

func (s *Service) now() time.Time { return s.Now().UTC() }

// audit records a change. Detail carries field names and ids, never a
// password or hash.
func (s *Service) audit(ctx context.Context, actor, tenantID, action, target string, detail map[string]string) error {
	return auditlog.Record(ctx, s.Audit, model.AuditEvent{
		TenantID: tenantID, At: s.now(), Actor: actor, Action: action, Target: target, Detail: detail,
	})
}

// inTx runs fn with a copy of s whose repositories are those of one
// transaction, so a change, its side effects and its events commit
// together. Called on a copy already bound, it joins that transaction.
func (s *Service) inTx(ctx context.Context, fn func(s *Service) error) error {
	if s.tx != nil {
		return fn(s)
	}
	return s.Atomic(ctx, func(tx store.Tx) error { return fn(s.In(tx)) })
}

// In returns a copy of s bound to tx: it reads and writes through tx's
// repositories, and its changes join tx instead of opening their own. A
// caller uses it to commit a directory change with writes of its own, all
// or nothing (onetime uses a link and makes the change it stands for in
// one transaction). Inside tx only the copy may be used: on SQLite the
// plain store would wait forever for the writer tx holds.
func (s *Service) In(tx store.Tx) *Service {
	b := *s
	b.Members, b.Groups, b.Sessions, b.Grants, b.Clients, b.Audit = tx.Members(), tx.Groups(), tx.Sessions(),
		tx.Grants(), tx.Clients(), tx.Audit()
	b.tx = tx
	return &b
}

// Events hears of directory changes inside their transaction, through tx,
// so what it writes commits or rolls back with the change.
type Events interface {
	// Member is an event of type typ (model.EventMember…) about m.
	Member(ctx context.Context, tx store.Tx, typ string, m model.Member) error
	// Changed is told every update of a member, from old to m; it decides
	// which events (status, disabled, profile) the update makes.
	Changed(ctx context.Context, tx store.Tx, old, m model.Member) error
	// Membership is an event of type typ (model.EventGroupMember…) about
	// m's membership of g.
	Membership(ctx context.Context, tx store.Tx, typ string, g model.Group, m model.Member) error
}

// memberEvent tells Events of typ about m; only on a copy bound by inTx.
func (s *Service) memberEvent(ctx context.Context, typ string, m model.Member) error {
	if s.Events == nil {
		return nil
	}
	return s.Events.Member(ctx, s.tx, typ, m)
}

// membershipEvent tells Events of typ about m's membership of g; only on a
// copy bound by inTx.
func (s *Service) membershipEvent(ctx context.Context, typ string, g model.Group, m model.Member) error {
	if s.Events == nil {
		return nil
	}
	return s.Events.Membership(ctx, s.tx, typ, g, m)
}
