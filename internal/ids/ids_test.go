package ids

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
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

// TestHashIsHexSHA256: Hash and AppendHash give the hex SHA-256 of tokens
// of every length around the stack buffer's (128 bytes), and AppendHash
// keeps what dst held.
func TestHashIsHexSHA256(t *testing.T) {
	for n := range 300 {
		token := strings.Repeat("k", n)
		sum := sha256.Sum256([]byte(token))
		want := hex.EncodeToString(sum[:])
		if got := Hash(token); got != want {
			t.Fatalf("Hash of %d bytes = %s, want %s", n, got, want)
		}
		if got := string(AppendHash([]byte("stamp~"), token)); got != "stamp~"+want {
			t.Fatalf("AppendHash of %d bytes = %s", n, got)
		}
	}
}

// TestNewTokenEveryLength: NewToken(n) and AppendToken encode n random
// bytes, for n around the stack buffers' sizes (64 random bytes, 88
// encoded), and AppendToken keeps what dst held.
func TestNewTokenEveryLength(t *testing.T) {
	for n := range 100 {
		tok := NewToken(n)
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(raw) != n {
			t.Fatalf("NewToken(%d) = %q: %d bytes, %v", n, tok, len(raw), err)
		}
		got := string(AppendToken([]byte("stamp~"), n))
		rest, ok := strings.CutPrefix(got, "stamp~")
		if raw, err := base64.RawURLEncoding.DecodeString(rest); !ok || err != nil || len(raw) != n {
			t.Fatalf("AppendToken(%d) = %q", n, got)
		}
	}
	if NewToken(64) == NewToken(64) || NewToken(100) == NewToken(100) {
		t.Fatal("NewToken repeated")
	}
}

func BenchmarkHash(b *testing.B) {
	token := NewToken(32)
	b.ReportAllocs()
	for b.Loop() {
		_ = Hash(token)
	}
}

func BenchmarkNewToken(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = NewToken(32)
	}
}
