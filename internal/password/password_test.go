package password

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// cheap keeps unit tests fast; the cost parameters themselves are covered by
// TestOWASPParams and the benchmark.
var cheap = Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashVerify(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(cheap)
	enc, err := h.Hash(ctx, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q is not a PHC argon2id string", enc)
	}
	if ok, rehash, err := h.Verify(ctx, enc, "correct horse"); !ok || rehash || err != nil {
		t.Fatalf("Verify(right) = %v, %v, %v", ok, rehash, err)
	}
	if ok, _, err := h.Verify(ctx, enc, "correct horsE"); ok || err != nil {
		t.Fatalf("Verify(wrong) = %v, %v", ok, err)
	}
	if again, _ := h.Hash(ctx, "correct horse"); again == enc {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
}

func TestVerifyAsksForRehashWhenParamsChange(t *testing.T) {
	ctx := context.Background()
	old, _ := NewHasher(cheap).Hash(ctx, "pw-123456")
	stronger := cheap
	stronger.Time = 2
	ok, rehash, err := NewHasher(stronger).Verify(ctx, old, "pw-123456")
	if !ok || !rehash || err != nil {
		t.Fatalf("Verify with new params = %v, %v, %v; want ok and rehash", ok, rehash, err)
	}
	if ok, rehash, _ := NewHasher(stronger).Verify(ctx, old, "nope-nope"); ok || rehash {
		t.Fatal("a wrong password must never ask for a rehash")
	}
}

func TestVerifyEmptyHashNeverMatches(t *testing.T) {
	if ok, _, err := NewHasher(cheap).Verify(context.Background(), "", ""); ok || err != nil {
		t.Fatalf("Verify(\"\", \"\") = %v, %v", ok, err)
	}
}

func TestVerifyRejectsMalformedAndHostileHashes(t *testing.T) {
	for _, enc := range []string{
		"plaintext",
		"$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5",
		"$argon2id$v=18$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5",
		"$argon2id$v=19$m=64,t=1,p=1$!!!$a2V5",
		"$argon2id$v=19$m=4294967295,t=1,p=1$c2FsdHNhbHQ$a2V5",
		"$argon2id$v=19$m=64,t=0,p=1$c2FsdHNhbHQ$a2V5",
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$",
	} {
		if ok, _, err := NewHasher(cheap).Verify(context.Background(), enc, "x"); ok || !errors.Is(err, ErrMalformedHash) {
			t.Errorf("Verify(%q) = %v, %v; want ErrMalformedHash", enc, ok, err)
		}
	}
}

func TestOWASPParams(t *testing.T) {
	if OWASP.MemoryKiB != 19456 || OWASP.Time != 2 || OWASP.Threads != 1 {
		t.Fatalf("OWASP params drifted: %+v", OWASP)
	}
}

func TestValidate(t *testing.T) {
	for pw, ok := range map[string]bool{"short": false, "long enough": true, strings.Repeat("x", 300): false} {
		if err := Validate(pw); (err == nil) != ok {
			t.Errorf("Validate(%d chars) = %v", len(pw), err)
		}
	}
}

func TestVerifyHonoursContextWhileQueued(t *testing.T) {
	h := NewHasher(cheap)
	for range cap(h.slots) {
		h.slots <- struct{}{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := h.Verify(ctx, "", "x"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Verify with full slots and cancelled ctx = %v", err)
	}
}

// BenchmarkVerifyOWASP measures one login's password check at production cost.
func BenchmarkVerifyOWASP(b *testing.B) {
	ctx := context.Background()
	h := NewHasher(OWASP)
	enc, _ := h.Hash(ctx, "correct horse battery")
	b.ReportAllocs()
	for b.Loop() {
		if ok, _, _ := h.Verify(ctx, enc, "correct horse battery"); !ok {
			b.Fatal("verify failed")
		}
	}
}
