// Package inputs holds the shape rules every administrator-facing service
// applies to free text and lists before its own rules. The CLI, the admin
// API and the console all call those services, so they refuse the same
// input: a value is never quietly repaired on one surface and refused on
// another.
//
// The rules: surrounding spaces are trimmed, but a control character is
// never trimmed away (a pasted "ada@example.org\n" is refused, not silently
// turned into something the administrator did not type, and nothing can
// forge a line in the audit log); and a list given entry by entry holds no
// empty entry ("https://a.example/cb," is a mistake, not one URI).
//
// A patch (the optional fields of an update) is applied and audited the
// same way by every service too: Set takes a field that is given, and
// FieldNames names the given fields for the audit log.
package inputs

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/guildgate/guildgate/internal/problem"
)

// Trim removes surrounding white space that is not a control character:
// spaces, no-break spaces and the like go, line breaks and tabs stay for
// the field's rules to refuse.
func Trim(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) && !IsControl(r) })
}

// TrimPtr is Trim for an optional field; nil stays nil.
func TrimPtr(p *string) *string {
	if p == nil {
		return nil
	}
	v := Trim(*p)
	return &v
}

// IsControl reports a C0 or C1 control character or DEL.
func IsControl(r rune) bool { return r < ' ' || (r >= 0x7f && r < 0xa0) }

// HasControl reports whether s holds a control character anywhere.
func HasControl(s string) bool { return strings.ContainsFunc(s, IsControl) }

// CheckText is the rule for a free-text field (a name, a label): required
// or not, at most maxRunes characters, and no control character, which
// would forge lines in the audit log and on the pages that show it. It
// returns the problem's message, "" for a good value.
func CheckText(s string, required bool, maxRunes int) string {
	switch {
	case s == "" && required:
		return "is required"
	case len([]rune(s)) > maxRunes:
		return fmt.Sprintf("must be at most %d characters", maxRunes)
	case HasControl(s):
		return "must not contain control characters"
	}
	return ""
}

// CheckList reports, under field, a list entry that is empty once trimmed,
// once for the whole list: every entry of a list an administrator gives
// must say something.
func CheckList(ps *problem.List, field string, entries []string) {
	for _, e := range entries {
		if Trim(e) == "" {
			ps.Add(field, "must not hold an empty entry (a stray comma?)")
			return
		}
	}
}

// CleanList trims entries and drops empty ones (which CheckList refuses);
// the result is never nil, so "given but empty" stays distinguishable from
// "not given".
func CleanList(in []string) []string {
	out := make([]string, 0, len(in))
	for _, v := range in {
		if v = Trim(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// Set stores a patch's field in dst when it is given (non-nil).
func Set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// FieldNames lists the names of the fields a patch sets, sorted and
// comma-separated: the audit log's "fields" detail, names and never values.
func FieldNames(set map[string]bool) string {
	var names []string
	for name, ok := range set {
		if ok {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return strings.Join(names, ",")
}
