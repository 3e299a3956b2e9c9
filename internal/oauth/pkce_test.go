package oauth

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

// RFC 7636 Appendix B.
const (
	rfcVerifier  = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	rfcChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
)

func TestValidateChallenge(t *testing.T) {
	tests := []struct {
		name, challenge, method, wantDesc string
	}{
		{"rfc example", rfcChallenge, "S256", ""},
		{"128 chars", strings.Repeat("a", 128), "S256", ""},
		{"all unreserved", strings.Repeat("aZ09-._~", 6), "S256", ""},
		{"plain refused", rfcChallenge, "plain", "plain is not supported"},
		{"method missing is not plain", rfcChallenge, "", "method is required"},
		{"lower-case s256", rfcChallenge, "s256", "not supported; use S256"},
		{"unknown method", rfcChallenge, "S512", "not supported; use S256"},
		{"challenge missing", "", "S256", "without code_challenge"},
		{"both missing", "", "", "code_challenge is required"},
		{"42 chars", strings.Repeat("a", 42), "S256", "43 to 128"},
		{"129 chars", strings.Repeat("a", 129), "S256", "43 to 128"},
		{"padding", rfcChallenge[:42] + "=", "S256", "43 to 128"},
		{"plus and slash", strings.Repeat("a+/", 15), "S256", "43 to 128"},
		{"space", strings.Repeat("a", 42) + " ", "S256", "43 to 128"},
		{"non-ASCII", strings.Repeat("é", 22), "S256", "43 to 128"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertDesc(t, ValidateChallenge(tt.challenge, tt.method), CodeInvalidRequest, tt.wantDesc)
		})
	}
}

func TestValidateVerifier(t *testing.T) {
	tests := []struct{ verifier, wantDesc string }{
		{rfcVerifier, ""},
		{"", "required"},
		{strings.Repeat("a", 42), "43 to 128"},
		{strings.Repeat("a", 129), "43 to 128"},
		{strings.Repeat("a", 42) + "!", "43 to 128"},
	}
	for _, tt := range tests {
		assertDesc(t, ValidateVerifier(tt.verifier), CodeInvalidGrant, tt.wantDesc)
	}
}

func TestVerifyS256(t *testing.T) {
	long := strings.Repeat("x", 128)
	tests := []struct {
		name, verifier, challenge string
		want                      bool
	}{
		{"rfc example", rfcVerifier, rfcChallenge, true},
		{"128-char verifier", long, s256(long), true},
		{"wrong verifier", rfcVerifier[:42] + "l", rfcChallenge, false},
		{"plain comparison is not S256", rfcChallenge, rfcChallenge, false},
		{"verifier too short though it hashes right", "abc", s256("abc"), false},
		{"verifier too long though it hashes right", long + "x", s256(long + "x"), false},
		{"bad characters though it hashes right", strings.Repeat("a", 42) + "+", s256(strings.Repeat("a", 42) + "+"), false},
		{"padded challenge", rfcVerifier, rfcChallenge + "=", false},
		{"empty challenge", rfcVerifier, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := VerifyS256(tt.verifier, tt.challenge); got != tt.want {
				t.Errorf("VerifyS256 = %v, want %v", got, tt.want)
			}
		})
	}
}

// s256 computes a challenge without VerifyS256's input checks, to show that
// those checks are what refuses.
func s256(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// assertDesc checks the code and that the description names the rule, so a
// case fails when its own rule is removed and another happens to refuse.
func assertDesc(t *testing.T, err error, code ErrorCode, wantDesc string) {
	t.Helper()
	if wantDesc == "" {
		if err != nil {
			t.Errorf("unexpected error %v", err)
		}
		return
	}
	e := FromError(err)
	if e == nil {
		t.Errorf("no error; want one mentioning %q", wantDesc)
		return
	}
	if e.Code != code || !strings.Contains(e.Description, wantDesc) {
		t.Errorf("got %s %q; want %s mentioning %q", e.Code, e.Description, code, wantDesc)
	}
}
