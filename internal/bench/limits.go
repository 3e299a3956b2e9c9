package bench

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/password"
)

// Limits are this machine's signing and password-hashing rates per CPU
// second of one core, measured in the same run as the workloads. Like the
// workloads' rates per core they count CPU time, not wall time, so "a
// fraction of the RS256 limit" compares like with like even on a machine
// other work shares.
type Limits struct {
	RS256PerSecond float64 `json:"rs256_sign_per_s"`
	ES256PerSecond float64 `json:"es256_sign_per_s"`
	// Argon2idPerSecond is password verifications at the server's
	// parameters (Argon2id), through the server's own password.Hasher: the
	// bound of a password sign-in.
	Argon2idPerSecond float64 `json:"argon2id_verify_per_s"`
	Argon2id          string  `json:"argon2id_params"`
}

// MeasureSigningLimits signs a SHA-256 digest with a 2048-bit RSA key
// (PKCS #1 v1.5, as RS256) and a P-256 key (as ES256), and verifies a
// password against its argon2id hash at the server's parameters
// (password.OWASP, what the server hashes with), each for d, on one
// goroutine, and divides by this process's CPU seconds over the loop (the
// wall-clock rate when /proc cannot be read). Key generation and the hash
// are not timed.
func MeasureSigningLimits(d time.Duration) Limits {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return Limits{}
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Limits{}
	}
	digest := sha256.Sum256([]byte("guildgate-bench signing limit"))
	p := password.OWASP
	h := password.NewHasher(p)
	const pw = "guildgate-bench argon2id limit"
	hash, err := h.Hash(context.Background(), pw)
	if err != nil {
		return Limits{}
	}
	return Limits{
		Argon2id: fmt.Sprintf("m=%d KiB, t=%d, p=%d", p.MemoryKiB, p.Time, p.Threads),
		Argon2idPerSecond: rate(d, func() error {
			ok, _, err := h.Verify(context.Background(), hash, pw)
			if err == nil && !ok {
				err = errors.New("argon2id: the password does not verify")
			}
			return err
		}),
		RS256PerSecond: rate(d, func() error {
			_, err := rsa.SignPKCS1v15(nil, rk, crypto.SHA256, digest[:])
			return err
		}),
		ES256PerSecond: rate(d, func() error {
			_, err := ecdsa.SignASN1(rand.Reader, ek, digest[:])
			return err
		}),
	}
}

// rate runs op for about d (and at least once) and returns operations per
// second; 0 when op fails.
func rate(d time.Duration, op func() error) float64 {
	start := time.Now()
	cpu0, err0 := cpuSeconds(os.Getpid())
	n := 0
	for n == 0 || time.Since(start) < d {
		if op() != nil {
			return 0
		}
		n++
	}
	cpu1, err1 := cpuSeconds(os.Getpid())
	if err0 == nil && err1 == nil && cpu1 > cpu0 {
		return float64(n) / (cpu1 - cpu0)
	}
	return float64(n) / time.Since(start).Seconds()
}

// pidList is a repeatable --database-pid flag.
type pidList []int

func (p *pidList) String() string {
	var s []string
	for _, v := range *p {
		s = append(s, strconv.Itoa(v))
	}
	return strings.Join(s, ",")
}

func (p *pidList) Set(v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return strconv.ErrSyntax
	}
	*p = append(*p, n)
	return nil
}
