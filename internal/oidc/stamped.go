package oidc

import (
	"encoding/binary"
	"encoding/hex"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
)

// Refresh tokens and authorization codes are stored by a key made from
// their value, never by the value. That key was the SHA-256 of the value
// alone, which put every new one at a random page of its table's
// primary-key index: on SQLite a refresh's or a code exchange's commit
// wrote about 1.7 pages of refresh_tokens' index per request (issue 11),
// since requests committed together each changed a page of their own, and
// a code exchange looked its code up at a random page too.
//
// So a new one begins with a stamp, a letter ("r" refresh token, "c"
// code) and 14 hex digits of the Unix microsecond it was made, then "~"
// and the random part (and, when bound, "." and the DPoP key's
// thumbprint). Its key is the stamp, "~" and the SHA-256 of the whole
// value. Keys of one kind sort in creation order, so the tokens of one
// commit share a page or two, and a code redeemed seconds after it was
// made is found on a page still in the cache; refresh tokens' keys also
// sort after every key of the earlier form (hex digits sort before "r").
// A value without "~" is of the earlier form (base64url, ".", the
// thumbprint: no "~") and keeps its key, the hash alone, so tokens and
// codes issued before keep working.
//
// The stamp tells when the value was made, which its holder knows anyway
// (and created_at stores). The hash still covers the whole value: a
// changed stamp is a different key, and a key still cannot be redeemed.

// Kinds of stamped values.
const (
	stampRefresh = 'r'
	stampCode    = 'c'
)

// stampSep ends a value's stamp.
const stampSep = "~"

// newStamped is a new value of kind made at now: its stamp, then 32
// random bytes.
func newStamped(kind byte, now time.Time) string {
	var us [8]byte
	binary.BigEndian.PutUint64(us[:], uint64(max(now.UnixMicro(), 0)))
	var stamp [15]byte
	stamp[0] = kind
	hex.Encode(stamp[1:], us[1:]) // 56 bits: 14 digits, enough until the year 4253
	// Written into one buffer, the value is its only allocation.
	var buf [64]byte // 15 + 1 + 43
	b := append(append(buf[:0], stamp[:]...), stampSep...)
	return string(ids.AppendToken(b, 32))
}

// stampedHash is the key a refresh token or code is stored by.
func stampedHash(value string) string {
	stamp, _, stamped := strings.Cut(value, stampSep)
	if !stamped {
		return ids.Hash(value)
	}
	var buf [96]byte // a stamp of ours, the separator and 64 hex digits: one allocation
	b := append(append(buf[:0], stamp...), stampSep...)
	return string(ids.AppendHash(b, value))
}
