package inputs

import (
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
