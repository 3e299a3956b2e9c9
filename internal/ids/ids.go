// Package ids makes the random identifiers and opaque tokens Guildgate hands
// out, from crypto/rand only, so no caller is tempted to use math/rand.
package ids

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"time"
)

// NewUUID returns a random (version 4) UUID in canonical lower-case form.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return uuidString(b)
}

// NewTimeUUID returns a version 7 UUID (RFC 9562 §5.7): the Unix time of t
// in milliseconds, then 74 random bits. Such ids sort in creation order, so
// a row keyed or indexed by one is added next to the rows created just
// before it: the few B-tree pages a commit of many such rows changes,
// instead of one page per row at a random place in the index. Use it only
// where revealing the creation time is harmless.
func NewTimeUUID(t time.Time) string {
	var b [16]byte
	_, _ = rand.Read(b[6:])
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(max(t.UnixMilli(), 0)))
	copy(b[:6], ms[2:])
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	return uuidString(b)
}

// uuidString is b in the canonical form, 8-4-4-4-12 lower-case hex digits.
func uuidString(b [16]byte) string {
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:36], b[10:16])
	return string(s[:])
}

// NewToken returns n random bytes encoded URL-safe without padding; use at
// least 32 bytes for anything that grants access.
func NewToken(n int) string {
	var buf [88]byte // the encoding of up to 64 bytes: the string is then the one allocation
	return string(AppendToken(buf[:0], n))
}

// AppendToken appends NewToken(n) to dst, so that a caller making a longer
// value of it (a stamped refresh token) allocates that value only.
func AppendToken(dst []byte, n int) []byte {
	var raw [64]byte
	b := raw[:0]
	if n <= len(raw) {
		b = raw[:n]
	} else {
		b = make([]byte, n)
	}
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.AppendEncode(dst, b)
}

// Hash returns the hex SHA-256 of a high-entropy token. Tokens are stored by
// hash so a database dump cannot be replayed; their entropy makes a slow hash
// unnecessary.
func Hash(token string) string {
	var buf [64]byte
	return string(AppendHash(buf[:0], token))
}

// AppendHash appends Hash(token) to dst. Tokens up to 128 bytes are copied
// for hashing into the stack rather than into a new slice.
func AppendHash(dst []byte, token string) []byte {
	var buf [128]byte
	sum := sha256.Sum256(append(buf[:0], token...))
	return hex.AppendEncode(dst, sum[:])
}
