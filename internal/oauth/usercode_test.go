package oauth

import (
	"strings"
	"testing"
)

func TestNewUserCode(t *testing.T) {
	seen := map[string]bool{}
	counts := map[rune]int{}
	for range 2000 {
		c := NewUserCode()
		if len(c) != UserCodeLength {
			t.Fatalf("%q: length %d", c, len(c))
		}
		for _, r := range c {
			if !strings.ContainsRune(UserCodeAlphabet, r) {
				t.Fatalf("%q: %q is not in the alphabet", c, r)
			}
			counts[r]++
		}
		if got, ok := NormalizeUserCode(FormatUserCode(c)); !ok || got != c {
			t.Fatalf("%q: formatted and read back as %q, %v", c, got, ok)
		}
		seen[c] = true
	}
	if len(seen) < 1999 {
		t.Errorf("only %d distinct codes in 2000", len(seen))
	}
	if len(counts) != len(UserCodeAlphabet) {
		t.Errorf("only %d of %d letters ever drawn", len(counts), len(UserCodeAlphabet))
	}
}

func TestFormatUserCode(t *testing.T) {
	if got := FormatUserCode("BCDFGHJK"); got != "BCDF-GHJK" {
		t.Errorf("got %q", got)
	}
}

func TestNormalizeUserCode(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"BCDF-GHJK", "BCDFGHJK", true},
		{"bcdf-ghjk", "BCDFGHJK", true},
		{" bcdf ghjk ", "BCDFGHJK", true},
		{"BCDFGHJK", "BCDFGHJK", true},
		{"B-C-D-F-G-H-J-K", "BCDFGHJK", true},
		{"BCDF-GHJ", "", false},       // too short
		{"BCDF-GHJKL", "", false},     // too long
		{"BCDF-GHJA", "", false},      // a vowel is never in a code
		{"BCDF-GHJ1", "", false},      // nor a digit
		{"BCDF-GHJ\u212a", "", false}, // Kelvin sign upper-cases to nothing we know
		{"ß", "", false},
		{"", "", false},
		{strings.Repeat("-", 100) + "BCDFGHJK", "", false},
	}
	for _, tt := range tests {
		got, ok := NormalizeUserCode(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizeUserCode(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
