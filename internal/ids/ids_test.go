package ids

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestNewUUIDIsRandomVersion4(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		u := NewUUID()
		if !uuidV4.MatchString(u) {
			t.Fatalf("NewUUID() = %q, not a v4 UUID", u)
		}
		if seen[u] {
			t.Fatalf("NewUUID() repeated %q", u)
		}
		seen[u] = true
	}
}

func TestNewTokenLengthAndAlphabet(t *testing.T) {
	tok := NewToken(32)
	if len(tok) != 43 || !regexp.MustCompile(`^[A-Za-z0-9_-]+$`).MatchString(tok) {
		t.Fatalf("NewToken(32) = %q", tok)
	}
	if NewToken(32) == tok {
		t.Fatal("NewToken repeated")
	}
}

func TestHashIsStableHex(t *testing.T) {
	if got := Hash("abc"); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("Hash(abc) = %s", got)
	}
}

var uuidV7 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestNewTimeUUID: a version 7 UUID whose first 48 bits are t in Unix
// milliseconds, so ids of later times sort after earlier ones, and whose
// random bits differ within one millisecond.
func TestNewTimeUUID(t *testing.T) {
	at := time.UnixMilli(0x0123456789ab).Add(999 * time.Microsecond)
	u := NewTimeUUID(at)
	if !uuidV7.MatchString(u) || u[:13] != "01234567-89ab" {
		t.Fatalf("NewTimeUUID(%v) = %q, not a v7 UUID of that millisecond", at, u)
	}
	seen := map[string]bool{}
	prev := ""
	for i := range 1000 {
		u := NewTimeUUID(at.Add(time.Duration(i/10) * time.Millisecond))
		if !uuidV7.MatchString(u) || seen[u] {
			t.Fatalf("NewTimeUUID: %q malformed or repeated", u)
		}
		if i%10 == 0 && u <= prev {
			t.Fatalf("NewTimeUUID: %q of a later millisecond sorts before %q", u, prev)
		}
		seen[u], prev = true, u
	}
	if u := NewTimeUUID(time.Time{}); !strings.HasPrefix(u, "00000000-0000-7") {
		t.Fatalf("NewTimeUUID(zero time) = %q, want the epoch", u)
	}
}
