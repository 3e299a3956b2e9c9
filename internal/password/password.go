// Package password hashes and verifies member passwords with argon2id, the
// only place Guildgate touches password material. Verification runs under a
// concurrency limit because each check costs ~19 MiB and ~25 ms: a login
// burst must queue, not exhaust memory.
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id cost parameters.
type Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
	SaltLen   int
	KeyLen    uint32
}

// OWASP is the OWASP Password Storage Cheat Sheet's first argon2id option
// (m=19 MiB, t=2, p=1).
var OWASP = Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// MinLength and MaxLength bound what a member may choose; the upper bound
// stops hashing megabyte "passwords".
const (
	MinLength = 8
	MaxLength = 256
)

var b64 = base64.RawStdEncoding

// ErrMalformedHash means a stored hash is not an argon2id PHC string.
var ErrMalformedHash = errors.New("password: malformed hash")

// Hasher hashes with its Params and bounds concurrent work.
type Hasher struct {
	Params Params
	slots  chan struct{}
	dummy  string
}

// NewHasher returns a Hasher allowing GOMAXPROCS concurrent hash operations.
// argon2id never waits, so more would add no throughput, only another
// 19 MiB block array in flight: with one more than there are processors,
// two hashes take turns on a processor and evict each other's memory from
// the caches at every switch, and the heap outgrows what the runtime keeps
// between collections, so it returns pages to the OS and faults them in
// again for the next hash.
func NewHasher(p Params) *Hasher {
	h := &Hasher{Params: p, slots: make(chan struct{}, runtime.GOMAXPROCS(0))}
	h.dummy = h.hash([]byte("guildgate-timing-equaliser"))
	return h
}

// Validate reports why a new password is unacceptable, or nil.
func Validate(pw string) error {
	switch n := len([]rune(pw)); {
	case n < MinLength:
		return fmt.Errorf("password must be at least %d characters", MinLength)
	case len(pw) > MaxLength:
		return fmt.Errorf("password must be at most %d bytes", MaxLength)
	}
	return nil
}

// Hash returns the PHC-encoded argon2id hash of pw.
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	return h.hash([]byte(pw)), nil
}

// Verify checks pw against encoded. rehash is true when the hash was made with
// other parameters and should be replaced by Hash(pw) now that pw is known.
// An empty encoded (member without a password) is checked against a dummy
// hash so the time taken does not reveal which accounts exist.
func (h *Hasher) Verify(ctx context.Context, encoded, pw string) (ok, rehash bool, err error) {
	if err := h.acquire(ctx); err != nil {
		return false, false, err
	}
	defer h.release()
	if encoded == "" {
		_, _ = verify(h.dummy, []byte(pw))
		return false, false, nil
	}
	p, err := verify(encoded, []byte(pw))
	if err != nil {
		return false, false, err
	}
	return p != nil, p != nil && *p != h.Params, nil
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.slots }

func (h *Hasher) hash(pw []byte) string {
	p := h.Params
	salt := make([]byte, p.SaltLen)
	_, _ = rand.Read(salt)
	key := argon2.IDKey(pw, salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// verify returns the params encoded was made with when pw matches, nil when it
// does not.
func verify(encoded string, pw []byte) (*Params, error) {
	p, salt, key, err := decode(encoded)
	if err != nil {
		return nil, err
	}
	got := argon2.IDKey(pw, salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return nil, nil
	}
	return &p, nil
}

func decode(encoded string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, ErrMalformedHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, ErrMalformedHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, ErrMalformedHash
	}
	if salt, err = b64.DecodeString(parts[4]); err != nil {
		return p, nil, nil, ErrMalformedHash
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) == 0 {
		return p, nil, nil, ErrMalformedHash
	}
	// Refuse absurd costs from a tampered row rather than allocate gigabytes.
	if p.MemoryKiB == 0 || p.MemoryKiB > 1<<20 || p.Time == 0 || p.Time > 16 || p.Threads == 0 {
		return p, nil, nil, ErrMalformedHash
	}
	p.SaltLen, p.KeyLen = len(salt), uint32(len(key))
	return p, salt, key, nil
}
