package problem

import (
	"errors"
	"fmt"
	"testing"
)

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{Field: "email", Message: "is required"}, "email: is required"},
		{Problem{Message: "nothing to change"}, "nothing to change"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestEmptyListIsNoError(t *testing.T) {
	var l List
	l.Check("name", "")
	if err := l.Err(); err != nil {
		t.Fatalf("Err() = %v (%T), want nil", err, err)
	}
}

func TestListCollectsEveryProblemInOrder(t *testing.T) {
	var l List
	l.Add("slug", "%q is not valid", "Bad Slug")
	l.Check("name", "")
	l.Check("name", "must not be empty")
	l.Add("", "nothing to change")

	err := l.Err()
	inv, ok := errors.AsType[*Invalid](err)
	if !ok {
		t.Fatalf("Err() = %v (%T), want *Invalid", err, err)
	}
	want := []Problem{
		{Field: "slug", Message: `"Bad Slug" is not valid`},
		{Field: "name", Message: "must not be empty"},
		{Message: "nothing to change"},
	}
	if len(inv.Problems) != len(want) {
		t.Fatalf("Problems = %q, want %q", inv.Problems, want)
	}
	for i := range want {
		if inv.Problems[i] != want[i] {
			t.Errorf("problem %d = %#v, want %#v", i, inv.Problems[i], want[i])
		}
	}
	if got, want := err.Error(), `slug: "Bad Slug" is not valid; name: must not be empty; nothing to change`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestConflictAndNotFoundKeepTheirCause(t *testing.T) {
	cause := errors.New("store: conflict")
	var err error = &Conflict{Msg: `a group named "Board" already exists`, Err: cause}
	wrapped := fmt.Errorf("add group: %w", err)
	if _, ok := errors.AsType[*Conflict](wrapped); !ok || !errors.Is(wrapped, cause) {
		t.Errorf("wrapped conflict %v: As=%v, Is(cause)=%v", wrapped, ok, errors.Is(wrapped, cause))
	}
	if err.Error() != `a group named "Board" already exists` {
		t.Errorf("Conflict.Error() = %q", err)
	}

	cause = errors.New("store: not found")
	err = &NotFound{Msg: "no member with id x", Err: cause}
	wrapped = fmt.Errorf("show member: %w", err)
	if _, ok := errors.AsType[*NotFound](wrapped); !ok || !errors.Is(wrapped, cause) {
		t.Errorf("wrapped not-found %v: As=%v, Is(cause)=%v", wrapped, ok, errors.Is(wrapped, cause))
	}
	if err.Error() != "no member with id x" {
		t.Errorf("NotFound.Error() = %q", err)
	}
	if _, ok := errors.AsType[*Conflict](err); ok {
		t.Errorf("a NotFound is also a Conflict")
	}
}

func TestCheckIfChecksOnlyGivenFields(t *testing.T) {
	calls := 0
	bad := func(s string) string { calls++; return "is bad: " + s }
	var l List
	CheckIf(&l, "name", nil, bad)
	v := "x"
	CheckIf(&l, "issuer", &v, bad)
	if calls != 1 || len(l) != 1 || l[0] != (Problem{Field: "issuer", Message: "is bad: x"}) {
		t.Fatalf("CheckIf: %d calls, %v; want one problem for issuer", calls, l)
	}
}
