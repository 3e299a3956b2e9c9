package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/guildgate/guildgate/internal/problem"
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
	if inv, ok := errors.AsType[*problem.Invalid](err); ok {
		lines := make([]string, len(inv.Problems))
		for i, p := range inv.Problems {
			lines[i] = p.String()
		}
		return lines
	}
	return strings.Split(err.Error(), "\n")
}

// isInputError reports whether err means "your input is wrong" (exit 2)
// rather than "something failed" (exit 1). Input errors change nothing.
// The services report theirs as the problem package's kinds.
func isInputError(err error) bool {
	return isA[*usageError](err) || isA[*inputError](err) || isA[*configError](err) ||
		isA[*problem.Invalid](err) || isA[*problem.Conflict](err) || isA[*problem.NotFound](err)
}

func isA[E error](err error) bool {
	_, ok := errors.AsType[E](err)
	return ok
}
