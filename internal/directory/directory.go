// Package directory holds the rules of a tenant's member directory: what a
// valid member or group is, who belongs where, and what must happen alongside
// a change (ending sessions on disable, an audit event for every change). The
// CLI and the admin API both go through it, so neither can store a member the
// other would refuse.
package directory

import (
	"context"
	"fmt"
	"strings"
	"time"

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
	Audit    store.Audit
	Hasher   *password.Hasher
	Now      func() time.Time
}

func (s *Service) now() time.Time { return s.Now().UTC() }

// audit records a change. Detail carries field names and ids, never a
// password or hash.
func (s *Service) audit(ctx context.Context, actor, tenantID, action, target string, detail map[string]string) error {
	e := model.AuditEvent{
		TenantID: tenantID, At: s.now(), Actor: actor, Action: action, Target: target, Detail: detail,
	}
	if err := s.Audit.Append(ctx, e); err != nil {
		return fmt.Errorf("record %s on %s: %w", action, target, err)
	}
	return nil
}

// Problem is one thing wrong with an input, named by its field so a form or
// the CLI can point at it.
type Problem struct {
	Field   string
	Message string
}

func (p Problem) String() string {
	if p.Field == "" {
		return p.Message
	}
	return p.Field + ": " + p.Message
}

// ValidationError lists every problem with an input at once, so an
// administrator fixes them in one go instead of one per attempt.
type ValidationError struct{ Problems []Problem }

func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.String()
	}
	return strings.Join(msgs, "; ")
}

type problems []Problem

func (ps *problems) check(field, msg string) {
	if msg != "" {
		*ps = append(*ps, Problem{Field: field, Message: msg})
	}
}

func (ps problems) err() error {
	if len(ps) == 0 {
		return nil
	}
	return &ValidationError{Problems: ps}
}

// ConflictError says in plain words what is already taken; it unwraps to the
// store's model.ErrConflict.
type ConflictError struct {
	Msg string
	Err error
}

func (e *ConflictError) Error() string { return e.Msg }
func (e *ConflictError) Unwrap() error { return e.Err }

// NotFoundError names what is missing; it unwraps to model.ErrNotFound.
type NotFoundError struct {
	Msg string
	Err error
}

func (e *NotFoundError) Error() string { return e.Msg }
func (e *NotFoundError) Unwrap() error { return e.Err }
