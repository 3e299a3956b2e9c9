package oauth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
)

// PKCEMethodS256 is the only code_challenge_method Guildgate accepts. "plain"
// protects nothing once the authorization request is observed, which is the
// attack PKCE exists to stop.
const PKCEMethodS256 = "S256"

// ValidateChallenge checks the code_challenge and code_challenge_method of an
// authorization request (RFC 7636 §4.3). Callers decide whether PKCE is
// required; once a challenge is sent it must be S256 and well-formed. A
// missing method is refused rather than read as "plain", the RFC's default.
func ValidateChallenge(challenge, method string) error {
	switch {
	case challenge == "" && method != "":
		return InvalidRequest("code_challenge_method was sent without code_challenge.")
	case challenge == "":
		return InvalidRequest("code_challenge is required.")
	case method == "":
		return InvalidRequest("code_challenge_method is required and must be S256.")
	case method == "plain":
		return InvalidRequest("code_challenge_method plain is not supported; use S256.")
	case method != PKCEMethodS256:
		return InvalidRequest("code_challenge_method is not supported; use S256.")
	case !pkceString(challenge):
		return InvalidRequest("code_challenge must be 43 to 128 characters from A-Z, a-z, 0-9, '-', '.', '_' and '~'.")
	}
	return nil
}

// ValidateVerifier checks a code_verifier's form (RFC 7636 §4.1), so the token
// endpoint can say what is wrong before comparing anything.
func ValidateVerifier(verifier string) error {
	if verifier == "" {
		return InvalidGrant("code_verifier is required: the authorization request used PKCE.")
	}
	if !pkceString(verifier) {
		return InvalidGrant("code_verifier must be 43 to 128 characters from A-Z, a-z, 0-9, '-', '.', '_' and '~'.")
	}
	return nil
}

// VerifyS256 reports whether BASE64URL(SHA256(verifier)) equals challenge
// (RFC 7636 §4.6). The comparison is constant-time so that timing reveals
// nothing about the stored challenge.
func VerifyS256(verifier, challenge string) bool {
	if !pkceString(verifier) {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	computed := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(computed), []byte(challenge)) == 1
}

// pkceString: 43*128 unreserved, the grammar of both verifier and challenge.
func pkceString(s string) bool {
	if len(s) < 43 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isUnreserved(s[i]) {
			return false
		}
	}
	return true
}

// isUnreserved: ALPHA / DIGIT / "-" / "." / "_" / "~" (RFC 3986 §2.3).
func isUnreserved(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}
