package oidc

import (
	"encoding/binary"
	"encoding/hex"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
)

// A refresh token is stored by a key made from its value, never by the
// value. That key was the SHA-256 of the value alone, which put every new
// token at a random page of refresh_tokens' primary-key index: on SQLite a
// refresh's or a code exchange's commit wrote about 1.7 pages of that
// index per request (issue 11), since requests committed together each
// changed a page of their own.
//
// So a new token begins with a stamp, "r" and 14 hex digits of the Unix
// microsecond it was made, then "~" and the random part (and, when bound,
// "." and the DPoP key's thumbprint). Its key is the stamp, "~" and the
// SHA-256 of the whole value. Keys of new tokens sort in creation order
// and after every key of the earlier form (hex digits sort before "r"), so
// the tokens of one commit share a page or two. A token without "~" is of
// the earlier form (base64url, ".", the thumbprint: no "~") and keeps its
// key, the hash alone, so tokens issued before keep working.
//
// The stamp tells when the token was made, which its holder knows anyway
// (and created_at stores). The hash still covers the whole value: a
// changed stamp is a different key, and a key still cannot be redeemed.

// refreshStampSep ends a refresh token's stamp.
const refreshStampSep = "~"

// newRefreshValue is the random part of a new refresh token, after its
// stamp of now.
func newRefreshValue(now time.Time) string {
	var us [8]byte
	binary.BigEndian.PutUint64(us[:], uint64(max(now.UnixMicro(), 0)))
	var stamp [15]byte
	stamp[0] = 'r'
	hex.Encode(stamp[1:], us[1:]) // 56 bits: 14 digits, enough until the year 4253
	return string(stamp[:]) + refreshStampSep + ids.NewToken(32)
}

// refreshHash is the key a refresh token is stored by.
func refreshHash(value string) string {
	stamp, _, stamped := strings.Cut(value, refreshStampSep)
	if !stamped {
		return ids.Hash(value)
	}
	return stamp + refreshStampSep + ids.Hash(value)
}
