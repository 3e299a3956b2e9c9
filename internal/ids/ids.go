// Package ids makes the random identifiers and opaque tokens Guildgate hands
// out, from crypto/rand only, so no caller is tempted to use math/rand.
package ids

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// NewUUID returns a random (version 4) UUID in canonical lower-case form.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// NewToken returns n random bytes encoded URL-safe without padding; use at
// least 32 bytes for anything that grants access.
func NewToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Hash returns the hex SHA-256 of a high-entropy token. Tokens are stored by
// hash so a database dump cannot be replayed; their entropy makes a slow hash
// unnecessary.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
