package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/tenancy"
)

// usageError is a command line that cannot be run as written; help tells
// how it should be.
type usageError struct{ msg, help string }

func (e *usageError) Error() string { return e.msg }

// inputError is bad input found by the CLI itself, such as an empty password
// on stdin.
type inputError struct{ msg string }

func (e *inputError) Error() string { return e.msg }

// configError carries config.Load's problems, one per line.
type configError struct{ err error }

func (e *configError) Error() string { return e.err.Error() }
func (e *configError) Unwrap() error { return e.err }

// report prints err and turns it into the exit status.
func (e *env) report(err error) int {
	if err == nil || errors.Is(err, errHelpShown) {
		return exitOK
	}
	for _, line := range messages(err) {
		fmt.Fprintf(e.stderr, "guildgate: %s\n", line)
	}
	if ue, ok := errors.AsType[*usageError](err); ok {
		fmt.Fprint(e.stderr, ue.help)
	}
	if isInputError(err) {
		return exitUsage
	}
	return exitFailure
}

// messages splits err into the lines an operator reads: one per validation
// problem, so every problem is reported at once.
func messages(err error) []string {
	if ve, ok := errors.AsType[*directory.ValidationError](err); ok {
		return problemLines(ve.Problems, directory.Problem.String)
	}
	if ve, ok := errors.AsType[*tenancy.ValidationError](err); ok {
		return problemLines(ve.Problems, tenancy.Problem.String)
	}
	return strings.Split(err.Error(), "\n")
}

func problemLines[P any](ps []P, str func(P) string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = str(p)
	}
	return out
}

// isInputError reports whether err means "your input is wrong" (exit 2)
// rather than "something failed" (exit 1). Input errors change nothing.
func isInputError(err error) bool {
	return isA[*usageError](err) || isA[*inputError](err) || isA[*configError](err) ||
		isA[*directory.ValidationError](err) || isA[*directory.ConflictError](err) || isA[*directory.NotFoundError](err) ||
		isA[*tenancy.ValidationError](err) || isA[*tenancy.ConflictError](err) || isA[*tenancy.NotFoundError](err)
}

func isA[E error](err error) bool {
	_, ok := errors.AsType[E](err)
	return ok
}
