package oidc

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
)

var stampedRefresh = regexp.MustCompile(`^r[0-9a-f]{14}~[A-Za-z0-9_-]{43}$`)

// TestStampedHash: a new refresh token is its stamp, "~" and 32 random
// bytes; its key is the stamp, "~" and the SHA-256 of the whole value, so
// keys sort by creation time and after every key of the earlier form; a
// token of the earlier form keeps its key, the hash alone. A code's stamp
// begins with "c".
func TestStampedHash(t *testing.T) {
	at := time.UnixMicro(0x0123456789abcd)
	v := newStamped(stampRefresh, at)
	if !stampedRefresh.MatchString(v) || !strings.HasPrefix(v, "r0123456789abcd~") {
		t.Fatalf("newStamped(stampRefresh, %v) = %q", at, v)
	}
	if got, want := stampedHash(v), "r0123456789abcd~"+ids.Hash(v); got != want {
		t.Fatalf("stampedHash(%q) = %q, want %q", v, got, want)
	}
	bound := v + ".thumbprint"
	if got, want := stampedHash(bound), "r0123456789abcd~"+ids.Hash(bound); got != want {
		t.Fatalf("stampedHash(%q) = %q, want %q (the hash covers the thumbprint)", bound, got, want)
	}
	for _, old := range []string{ids.NewToken(32), ids.NewToken(32) + ".thumbprint"} {
		if got := stampedHash(old); got != ids.Hash(old) {
			t.Fatalf("stampedHash(%q) = %q, want the hash alone", old, got)
		}
	}
	prev := stampedHash(newStamped(stampRefresh, at))
	if prev <= strings.Repeat("f", 64) {
		t.Fatalf("key %q does not sort after the keys of the earlier form", prev)
	}
	for i := 1; i < 100; i++ {
		k := stampedHash(newStamped(stampRefresh, at.Add(time.Duration(i)*time.Microsecond)))
		if k <= prev {
			t.Fatalf("key %q of a later token sorts before %q", k, prev)
		}
		prev = k
	}
	if v := newStamped(stampRefresh, time.Time{}); !strings.HasPrefix(v, "r00000000000000~") {
		t.Fatalf("newStamped(stampRefresh, zero time) = %q, want the epoch", v)
	}
	if v := newStamped(stampCode, at); !strings.HasPrefix(v, "c0123456789abcd~") || stampedHash(v) != "c0123456789abcd~"+ids.Hash(v) {
		t.Fatalf("code %q, key %q", v, stampedHash(v))
	}
}

// TestStampedHashOfAnyStamp: a presented value's stamp is whatever precedes
// its first "~", of any length (a client may send anything): the key is
// that stamp, "~" and the hash of the whole value, as for a stamp of ours.
func TestStampedHashOfAnyStamp(t *testing.T) {
	for _, stamp := range []string{"", "r", strings.Repeat("s", 80), strings.Repeat("s", 200)} {
		v := stamp + "~" + ids.NewToken(32) + "~more"
		if got, want := stampedHash(v), stamp+"~"+ids.Hash(v); got != want {
			t.Fatalf("stampedHash(%q) = %q, want %q", v, got, want)
		}
	}
}

func BenchmarkStamped(b *testing.B) {
	at := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		_ = stampedHash(newStamped(stampRefresh, at))
	}
}
