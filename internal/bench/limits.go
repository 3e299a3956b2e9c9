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

// The limits, one by one. Each round measures each limit once, for
// limitTime, just before the first workload judged against it (limitOf),
// on the servers' CPU when it can (limitMeter): the figure a workload is
// compared with then comes from the same core, minutes apart at most.
type limit int

const (
	rs256Limit limit = iota
	es256Limit
	argon2idLimit
	nLimits
)

// limitTime is how long each limit runs per round. An RS256 signature
// takes about 1 ms and an ES256 one 40 µs, so half and a quarter of a
// second give hundreds and thousands of operations. An argon2id
// verification takes about 30 ms and allocates 19 MiB, so each one brings
// a garbage collection and fresh pages with it, whose cost varies from one
// to the next: a second per round (some 35 verifications, a hundred over
// three rounds) keeps that from deciding the figure, where a second split
// over the rounds would leave a dozen per round.
var limitTime = [nLimits]time.Duration{500 * time.Millisecond, 250 * time.Millisecond, time.Second}

// limitOf is the limit a workload is judged against, or printed next to.
func limitOf(workload string) (limit, bool) {
	switch workload {
	case Refresh, CodeExchange, CodeFlow:
		return rs256Limit, true
	case RefreshES256, CodeExchangeES256:
		return es256Limit, true
	case Login:
		return argon2idLimit, true
	}
	return 0, false
}

// tally is operations over the CPU seconds they took (wall seconds where
// CPU time cannot be read).
type tally struct {
	Ops     int
	Seconds float64
}

func (t tally) rate() float64 {
	if t.Ops == 0 || t.Seconds <= 0 {
		return 0
	}
	return float64(t.Ops) / t.Seconds
}

// limitRound is one round's measurement of every limit.
type limitRound [nLimits]tally

// limits turns tallies into rates; several rounds pool as the workloads
// do, operations over CPU seconds summed.
func limits(rounds ...limitRound) Limits {
	var sum limitRound
	for _, r := range rounds {
		for l := range nLimits {
			sum[l].Ops += r[l].Ops
			sum[l].Seconds += r[l].Seconds
		}
	}
	p := password.OWASP
	return Limits{RS256PerSecond: sum[rs256Limit].rate(), ES256PerSecond: sum[es256Limit].rate(),
		Argon2idPerSecond: sum[argon2idLimit].rate(),
		Argon2id:          fmt.Sprintf("m=%d KiB, t=%d, p=%d", p.MemoryKiB, p.Time, p.Threads)}
}

// limitMeter measures the limits: it signs a SHA-256 digest with a
// 2048-bit RSA key (PKCS #1 v1.5, as RS256) and with a P-256 key (as
// ES256), and verifies a password against its argon2id hash at the
// server's parameters (password.OWASP, through the server's own
// password.Hasher). Key generation and the hash are not timed.
type limitMeter struct {
	ops   [nLimits]func() error
	cpu   int    // the CPU the process is moved to while measuring; -1: not moved
	Where string // where the limits are measured, for the report
}

// newLimitMeter prepares the keys and the hash. With cpu ≥ 0 it measures
// with every thread of this process moved to that CPU (the servers' CPU,
// while they are idle between workloads); where that fails (not Linux, or a
// CPU this process may not use) it measures where it runs and says so in
// Where.
func newLimitMeter(cpu int) (*limitMeter, error) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	digest := sha256.Sum256([]byte("guildgate-bench signing limit"))
	h := password.NewHasher(password.OWASP)
	const pw = "guildgate-bench argon2id limit"
	hash, err := h.Hash(context.Background(), pw)
	if err != nil {
		return nil, err
	}
	m := &limitMeter{cpu: -1, Where: "on the CPUs of guildgate-bench (unpinned)"}
	m.ops[rs256Limit] = func() error {
		_, err := rsa.SignPKCS1v15(nil, rk, crypto.SHA256, digest[:])
		return err
	}
	m.ops[es256Limit] = func() error {
		_, err := ecdsa.SignASN1(rand.Reader, ek, digest[:])
		return err
	}
	m.ops[argon2idLimit] = func() error {
		ok, _, err := h.Verify(context.Background(), hash, pw)
		if err == nil && !ok {
			err = errors.New("argon2id: the password does not verify")
		}
		return err
	}
	if cpu >= 0 {
		if restore, err := pinProcess(cpu); err != nil {
			m.Where = fmt.Sprintf("on the CPUs of guildgate-bench: moving it to CPU %d failed (%v)", cpu, err)
		} else {
			restore()
			m.cpu, m.Where = cpu, fmt.Sprintf("on CPU %d, the servers' CPU (every thread of guildgate-bench moved there while the limits run, the servers idle)", cpu)
		}
	}
	return m, nil
}

// measure runs limit l for limitTime[l] (and at least once), on the
// servers' CPU when it can.
func (m *limitMeter) measure(l limit) tally {
	if m.cpu >= 0 {
		restore, err := pinProcess(m.cpu)
		if err == nil {
			defer restore()
			return count(limitTime[l], m.ops[l])
		}
		m.cpu, m.Where = -1, fmt.Sprintf("on CPU %d until moving there failed (%v), then on the CPUs of guildgate-bench", m.cpu, err)
	}
	return count(limitTime[l], m.ops[l])
}

// count runs op for about d (and at least once) and tallies it against
// this process's CPU time over the loop (all its threads: the garbage
// collection an operation causes is its cost too, as the server's is in
// its rate per core), to the nanosecond on Linux, else from /proc, else
// against wall time. Ops is 0 when op fails.
func count(d time.Duration, op func() error) tally {
	clock := processCPU(os.Getpid())
	if clock == nil {
		clock = func() (time.Duration, bool) {
			s, err := cpuSeconds(os.Getpid())
			return time.Duration(s * float64(time.Second)), err == nil
		}
	}
	start := time.Now()
	cpu0, ok0 := clock()
	n := 0
	for n == 0 || time.Since(start) < d {
		if op() != nil {
			return tally{}
		}
		n++
	}
	cpu1, ok1 := clock()
	if ok0 && ok1 && cpu1 > cpu0 {
		return tally{Ops: n, Seconds: (cpu1 - cpu0).Seconds()}
	}
	return tally{Ops: n, Seconds: time.Since(start).Seconds()}
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
