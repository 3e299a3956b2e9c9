// Package problem carries the user-facing kinds of failure from the services
// to the surfaces that report them: invalid input listing every problem at
// once, a conflict with something that already exists, and something that
// is not found. The CLI and (later) the admin API and console map these
// kinds to exit codes or HTTP statuses without knowing each service.
//
// The package imports only the standard library, so any service can use it.
package problem

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with an input, named by its field so a form or
// the CLI can point at it. Field is empty for a problem with the input as a
// whole, such as "nothing to change".
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

// Invalid lists every problem with an input at once, so whoever sent it
// fixes them in one go instead of one per attempt.
type Invalid struct{ Problems []Problem }

func (e *Invalid) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.String()
	}
	return strings.Join(msgs, "; ")
}

// List collects the problems found while checking an input; its zero value
// is empty and ready to use.
type List []Problem

// Add records a problem with field whose message is format applied to args.
func (l *List) Add(field, format string, args ...any) {
	*l = append(*l, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Check records msg as a problem with field unless msg is empty, so a
// checker that returns "" for a valid value can be called directly.
func (l *List) Check(field, msg string) {
	if msg != "" {
		*l = append(*l, Problem{Field: field, Message: msg})
	}
}

// CheckIf is Check for an optional field, as a patch has them: when v is
// given (non-nil), check's verdict on it is recorded under field.
func CheckIf[T any](l *List, field string, v *T, check func(T) string) {
	if v != nil {
		l.Check(field, check(*v))
	}
}

// Err is nil when no problem was recorded, and otherwise an *Invalid
// listing them all.
func (l List) Err() error {
	if len(l) == 0 {
		return nil
	}
	return &Invalid{Problems: l}
}

// Conflict says in plain words what is already taken; Err is the cause,
// usually the store's model.ErrConflict.
type Conflict struct {
	Msg string
	Err error
}

func (e *Conflict) Error() string { return e.Msg }
func (e *Conflict) Unwrap() error { return e.Err }

// NotFound names what is missing; Err is the cause, usually the store's
// model.ErrNotFound.
type NotFound struct {
	Msg string
	Err error
}

func (e *NotFound) Error() string { return e.Msg }
func (e *NotFound) Unwrap() error { return e.Err }
