package inputs

import (
	"slices"
	"testing"

	"github.com/guildgate/guildgate/internal/problem"
)

func TestTrimKeepsControlCharacters(t *testing.T) {
	for in, want := range map[string]string{
		"  ada@example.org ":       "ada@example.org",
		"\u00a0Ada\u2003":          "Ada",
		"ada@example.org\n":        "ada@example.org\n",
		"\tBoard":                  "\tBoard",
		" x\r\n ":                  "x\r\n",
		"":                         "",
		"plain":                    "plain",
		"\u0085next-line control ": "\u0085next-line control",
	} {
		if got := Trim(in); got != want {
			t.Errorf("Trim(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckList(t *testing.T) {
	for _, tt := range []struct {
		entries []string
		bad     bool
	}{
		{nil, false}, {[]string{}, false}, {[]string{"a", " b "}, false},
		{[]string{"a", ""}, true}, {[]string{" ", "a"}, true}, {[]string{"", ""}, true},
	} {
		var ps problem.List
		CheckList(&ps, "redirect_uris", tt.entries)
		if got := len(ps) > 0; got != tt.bad || len(ps) > 1 {
			t.Errorf("CheckList(%q) = %v, want refused %v", tt.entries, ps, tt.bad)
		}
	}
}

func TestCleanList(t *testing.T) {
	for _, tt := range []struct{ in, want []string }{
		{nil, []string{}}, {[]string{}, []string{}}, {[]string{" a ", "", "\u00a0", "b"}, []string{"a", "b"}},
		{[]string{"a\n"}, []string{"a\n"}},
	} {
		got := CleanList(tt.in)
		if got == nil || !slices.Equal(got, tt.want) {
			t.Errorf("CleanList(%q) = %#v, want %#v (never nil)", tt.in, got, tt.want)
		}
	}
}

func TestPatchHelpers(t *testing.T) {
	name, v := "old", "new"
	Set(&name, nil)
	if name != "old" {
		t.Errorf("Set with nil changed the field to %q", name)
	}
	Set(&name, &v)
	if name != "new" {
		t.Errorf("Set = %q, want new", name)
	}
	for _, tt := range []struct {
		set  map[string]bool
		want string
	}{
		{nil, ""}, {map[string]bool{"b": true, "a": true, "c": false}, "a,b"}, {map[string]bool{"x": false}, ""},
	} {
		if got := FieldNames(tt.set); got != tt.want {
			t.Errorf("FieldNames(%v) = %q, want %q", tt.set, got, tt.want)
		}
	}
}

func TestCheckText(t *testing.T) {
	for _, tt := range []struct {
		s        string
		required bool
		want     string
	}{
		{"", true, "is required"}, {"", false, ""}, {"Ada", true, ""}, {"ÄÖÜ", true, ""},
		{"abcd", true, "must be at most 3 characters"}, {"a\nb", false, "must not contain control characters"},
		{"a\u0085", false, "must not contain control characters"},
	} {
		if got := CheckText(tt.s, tt.required, 3); got != tt.want {
			t.Errorf("CheckText(%q, %v, 3) = %q, want %q", tt.s, tt.required, got, tt.want)
		}
	}
}
