package oidc

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
)

var stampedRefresh = regexp.MustCompile(`^r[0-9a-f]{14}~[A-Za-z0-9_-]{43}$`)

// TestRefreshHash: a new refresh token is its stamp, "~" and 32 random
// bytes; its key is the stamp, "~" and the SHA-256 of the whole value, so
// keys sort by creation time and after every key of the earlier form; a
// token of the earlier form keeps its key, the hash alone.
func TestRefreshHash(t *testing.T) {
	at := time.UnixMicro(0x0123456789abcd)
	v := newRefreshValue(at)
	if !stampedRefresh.MatchString(v) || !strings.HasPrefix(v, "r0123456789abcd~") {
		t.Fatalf("newRefreshValue(%v) = %q", at, v)
	}
	if got, want := refreshHash(v), "r0123456789abcd~"+ids.Hash(v); got != want {
		t.Fatalf("refreshHash(%q) = %q, want %q", v, got, want)
	}
	bound := v + ".thumbprint"
	if got, want := refreshHash(bound), "r0123456789abcd~"+ids.Hash(bound); got != want {
		t.Fatalf("refreshHash(%q) = %q, want %q (the hash covers the thumbprint)", bound, got, want)
	}
	for _, old := range []string{ids.NewToken(32), ids.NewToken(32) + ".thumbprint"} {
		if got := refreshHash(old); got != ids.Hash(old) {
			t.Fatalf("refreshHash(%q) = %q, want the hash alone", old, got)
		}
	}
	prev := refreshHash(newRefreshValue(at))
	if prev <= strings.Repeat("f", 64) {
		t.Fatalf("key %q does not sort after the keys of the earlier form", prev)
	}
	for i := 1; i < 100; i++ {
		k := refreshHash(newRefreshValue(at.Add(time.Duration(i) * time.Microsecond)))
		if k <= prev {
			t.Fatalf("key %q of a later token sorts before %q", k, prev)
		}
		prev = k
	}
	if v := newRefreshValue(time.Time{}); !strings.HasPrefix(v, "r00000000000000~") {
		t.Fatalf("newRefreshValue(zero time) = %q, want the epoch", v)
	}
}
