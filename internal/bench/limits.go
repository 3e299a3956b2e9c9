package bench

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/jwsig"
	"github.com/guildgate/guildgate/internal/model"
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
// verification takes about 20-30 ms and allocates 19 MiB, and its rate
// settles only once the heap has grown to hold several of them: measured
// for 1 s in a fresh process it came out at 48.6-51.4/s, for 3 s at
// 52.8-53.4/s (three of each alternated, on an idle core). So it runs 3 s
// a round, after a warm-up (limitchild.go), and the limit is the settled
// rate, as a server signing members in all day has it.
var limitTime = [nLimits]time.Duration{500 * time.Millisecond, 250 * time.Millisecond, 3 * time.Second}

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

// limitMeter measures the limits: it signs a token-sized signing input
// as RS256 (a 2048-bit RSA key) and as ES256 (a P-256 key) the way the
// server signs tokens (package jwsig: the hash, the key operation, for
// ES256 deterministic, and r || s), and verifies a password against its
// argon2id hash at the server's parameters (password.OWASP, through the
// server's own password.Hasher). Key generation and the hash are not
// timed. Each measurement runs in a child process when it can
// (limitchild.go), else in this one.
type limitMeter struct {
	ops   [nLimits]func() error // this process's operations, made when first needed
	child string                // the executable measuring in a child process (limitChild); empty: none
	cpu   int                   // the CPU the measurements are moved to; -1: not moved
	Where string                // where the limits are measured, for the report
}

// limitOp prepares limit l's operation.
func limitOp(l limit) (func() error, error) {
	// A token's signing input: header and claims, base64url, as long as a
	// client_credentials access token's.
	input := []byte(strings.Repeat("eyJhbGciOiJFUzI1NiJ9", 16))
	switch l {
	case rs256Limit:
		rk, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		return func() error {
			_, err := jwsig.Sign(model.AlgRS256, rk, input)
			return err
		}, nil
	case es256Limit:
		ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		return func() error {
			_, err := jwsig.Sign(model.AlgES256, ek, input)
			return err
		}, nil
	case argon2idLimit:
		h := password.NewHasher(password.OWASP)
		const pw = "guildgate-bench argon2id limit"
		hash, err := h.Hash(context.Background(), pw)
		if err != nil {
			return nil, err
		}
		return func() error {
			ok, _, err := h.Verify(context.Background(), hash, pw)
			if err == nil && !ok {
				err = errors.New("argon2id: the password does not verify")
			}
			return err
		}, nil
	}
	return nil, fmt.Errorf("no limit %d", l)
}

// newLimitMeter prepares the measurements. With cpu ≥ 0 they run with
// every thread of their process moved to that CPU (the servers' CPU, while
// they are idle between workloads); where that fails (not Linux, or a CPU
// this process may not use) they run where this process runs, and Where
// says so.
func newLimitMeter(cpu int) (*limitMeter, error) {
	m := &limitMeter{cpu: -1, Where: "on the CPUs of guildgate-bench (unpinned)"}
	if cpu >= 0 {
		if restore, err := pinProcess(cpu); err != nil {
			m.Where = fmt.Sprintf("on the CPUs of guildgate-bench: moving it to CPU %d failed (%v)", cpu, err)
		} else {
			restore()
			m.cpu, m.Where = cpu, fmt.Sprintf("on CPU %d, the servers' CPU (the process measuring moved there, the servers idle)", cpu)
		}
	}
	if m.child = limitChild; m.child != "" {
		m.Where += ", each in a fresh guildgate-bench process at the server's GC setting"
	} else {
		m.Where += ", in guildgate-bench's own process"
	}
	return m, nil
}

// measure runs limit l for limitTime[l] (and at least once), on the
// servers' CPU when it can: in a child process, or in this one when there
// is no child to run or it fails (Where then says so).
func (m *limitMeter) measure(l limit) tally {
	if m.child != "" {
		t, err := measureInChild(m.child, l, limitTime[l], m.cpu)
		if err == nil {
			return t
		}
		m.child = ""
		m.Where += fmt.Sprintf("; from %s on in guildgate-bench's own process (the child failed: %v)", limitNames[l], err)
	}
	if m.ops[l] == nil {
		op, err := limitOp(l)
		if err != nil {
			return tally{}
		}
		m.ops[l] = op
	}
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

// limitNames name the limits in the report's notes.
var limitNames = [nLimits]string{"RS256", "ES256", "argon2id"}

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
