package oauth

import (
	"crypto/rand"
	"strings"
)

// User codes of the device authorization grant (RFC 8628 §6.1): what a
// member reads off a television or a terminal and types on their phone.
// Eight letters from an alphabet without vowels (no words form) and without
// letters that read like digits or like each other, shown as XXXX-XXXX.
// 20^8 is about 2^34.6 codes, of which only the few pending at once are
// valid; entry is rate limited (RFC 8628 §5.1), so guessing one is hopeless.
const (
	UserCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"
	UserCodeLength   = 8
)

// NewUserCode is a fresh user code, normalised (no separator).
func NewUserCode() string {
	b := make([]byte, UserCodeLength)
	for i := range b {
		b[i] = UserCodeAlphabet[uniform(len(UserCodeAlphabet))]
	}
	return string(b)
}

// uniform is a uniformly random int in [0, n) for n <= 256, by rejection:
// a plain modulo would favour the first letters.
func uniform(n int) int {
	limit := 256 - 256%n
	var one [1]byte
	for {
		_, _ = rand.Read(one[:]) // crypto/rand.Read never fails (Go 1.24+)
		if int(one[0]) < limit {
			return int(one[0]) % n
		}
	}
}

// FormatUserCode shows a normalised code as XXXX-XXXX, the form the device
// displays and verification_uri_complete carries.
func FormatUserCode(code string) string {
	if len(code) != UserCodeLength {
		return code
	}
	return code[:UserCodeLength/2] + "-" + code[UserCodeLength/2:]
}

// NormalizeUserCode reads what a member typed: case, spaces and dashes do
// not matter (RFC 8628 §6.1 asks servers to be forgiving of both). ok is
// false unless exactly UserCodeLength letters of the alphabet remain, so a
// typo is refused before anything is looked up.
func NormalizeUserCode(typed string) (code string, ok bool) {
	if len(typed) > 4*UserCodeLength {
		return "", false
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(typed) {
		switch {
		case r == '-' || r == ' ' || r == '\t':
			continue
		case r > 'Z' || !strings.ContainsRune(UserCodeAlphabet, r):
			return "", false
		}
		b.WriteRune(r)
	}
	if b.Len() != UserCodeLength {
		return "", false
	}
	return b.String(), true
}
