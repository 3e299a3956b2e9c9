package mfa

import (
	"crypto/rand"
	"encoding/base32"
	"strings"

	"github.com/guildgate/guildgate/internal/ids"
)

// RecoveryCount is how many recovery codes a member gets at a time.
const RecoveryCount = 10

// A recovery code is 10 random bytes (80 bits) in lower-case base32: 16
// characters, shown in groups of four. 80 bits make a fast hash safe to
// store: even a stolen database gives no way to find the codes.
var recoveryEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

const recoveryLen = 16

// newRecoveryCodes returns codes as shown to the member and their hashes
// as stored.
func newRecoveryCodes(memberID string) (shown, hashes []string) {
	for range RecoveryCount {
		b := make([]byte, 10)
		_, _ = rand.Read(b)
		c := strings.ToLower(recoveryEncoding.EncodeToString(b))
		shown = append(shown, c[0:4]+"-"+c[4:8]+"-"+c[8:12]+"-"+c[12:16])
		hashes = append(hashes, recoveryHash(memberID, c))
	}
	return shown, hashes
}

// recoveryHash binds the code to its member, so one hash never stands for
// a code of someone else.
func recoveryHash(memberID, normalized string) string {
	return ids.Hash("recovery:" + memberID + ":" + normalized)
}

// isRecoveryCode reports whether normalized has the shape of a recovery code.
func isRecoveryCode(s string) bool {
	if len(s) != recoveryLen {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if !(c >= 'a' && c <= 'z') && !(c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// normalize drops what people type between groups (spaces, hyphens) and
// folds case; anything longer than any code is cut short so a huge input
// costs nothing and fails the shape checks.
func normalize(s string) string {
	if len(s) > 64 {
		return ""
	}
	return strings.ToLower(strings.NewReplacer(" ", "", "-", "", "\t", "").Replace(s))
}
