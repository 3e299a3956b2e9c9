package bench_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/bench"
	"github.com/guildgate/guildgate/internal/testenv"
)

const redirectURI = "https://rp.example/cb"

// TestBenchSideBySide is the benchmark's short mode (about one second per
// workload; code_exchange prefetches for 1.5 × that first): every workload
// — login, code_exchange and the ES256 client's refresh and code exchange
// included — against Guildgate on SQLite and against oidc-provider
// configured equivalently (interop/bench-op.mjs), each completing requests
// with no error, printed side by side.
func TestBenchSideBySide(t *testing.T) {
	node := requireNode(t)
	s := testenv.Start(t, testenv.SQLite, nil)
	// Two members with one password: the login workload rotates through
	// them, so no account's throttle (a burst of 5) sees all 4 workers.
	const password = "bench-password-9f3a1c7e"
	emails := []string{"bench@example.org", "bench-2@example.org"}
	for _, email := range emails {
		s.MustCLI(t, password+"\n", "member", "add", "--email", email, "--name", "Bench Member",
			"--status", "current", "--email-verified", "--password-stdin")
	}
	type registered struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	var cl, es registered
	for _, c := range []struct {
		v    *registered
		name string
		alg  string
	}{{&cl, "bench", "RS256"}, {&es, "bench-es256", "ES256"}} {
		out := s.MustCLI(t, "", "client", "add", "--name", c.name, "--data-dir", s.Config.DataDir, "--id-token-alg", c.alg,
			"--redirect-uris", redirectURI, "--grant-types", "authorization_code,refresh_token,client_credentials", "--json")
		if err := json.Unmarshal([]byte(out), c.v); err != nil {
			t.Fatalf("client add printed no JSON: %v\n%s", err, out)
		}
	}
	certFile := filepath.Join(s.Config.DataDir, "localhost-cert.pem")
	pool := loadPool(t, certFile)

	op := testenv.StartProcess(t, "../../interop", testenv.CleanEnv(
		"BENCH_CERT="+certFile, "BENCH_KEY="+filepath.Join(s.Config.DataDir, "localhost-key.pem"),
		"BENCH_CLIENT_ID="+cl.ClientID, "BENCH_CLIENT_SECRET="+cl.ClientSecret, "BENCH_REDIRECT_URI="+redirectURI,
		"BENCH_ES256_CLIENT_ID="+es.ClientID, "BENCH_ES256_CLIENT_SECRET="+es.ClientSecret,
	), node, "bench-op.mjs")
	op.WaitOutput(t, op.Stdout, "READY ", 30*time.Second)
	f := strings.Fields(strings.TrimSpace(op.Stdout.String()))
	if len(f) < 3 {
		t.Fatalf("bench-op.mjs printed %q", op.Stdout)
	}
	opIssuer := f[1]
	opPID, _ := strconv.Atoi(f[2])

	base := bench.Config{ClientID: cl.ClientID, ClientSecret: cl.ClientSecret, ES256ClientID: es.ClientID, ES256Secret: es.ClientSecret, RedirectURI: redirectURI,
		MemberEmail: strings.Join(emails, ","), MemberPassword: password, Duration: time.Second, Concurrency: 4, RootCAs: pool}
	if testing.Short() {
		base.Duration = 500 * time.Millisecond
	}
	gg, op2 := base, base
	gg.Target = s.URL // in-process: its CPU is this test's, so it is not reported
	op2.Target, op2.ServerPID = opIssuer, opPID
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ggRes, err := bench.Run(ctx, gg)
	if err != nil {
		t.Fatalf("guildgate: %v\nlogs:\n%s", err, s.Logs)
	}
	opRes, err := bench.Run(ctx, op2)
	if err != nil {
		t.Fatalf("oidc-provider: %v\nstderr:\n%s", err, op.Stderr)
	}
	for name, rs := range map[string][]bench.Result{"guildgate": ggRes, "oidc-provider": opRes} {
		if len(rs) != len(bench.All) {
			t.Errorf("%s: %d workloads ran, want %d", name, len(rs), len(bench.All))
		}
		for _, r := range rs {
			if r.Requests == 0 || r.Errors != 0 {
				t.Errorf("%s %s: %d requests, %d errors (first: %s)", name, r.Workload, r.Requests, r.Errors, r.FirstError)
			}
		}
	}
	var b bytes.Buffer
	bench.WriteSideBySide(&b, "guildgate", ggRes, "oidc-provider", opRes)
	t.Logf("side by side (%s per workload, concurrency %d):\n%s", base.Duration, base.Concurrency, b.String())
}

// TestBenchCommand runs guildgate-bench as a shell would, for the cheap
// workloads, with the secret on stdin and --json, and with the server as its
// own peer, in two rounds, so the report carries both runs pooled, their
// ratio ranges and the signing limits (measured on CPU 0, or where pinning
// there fails, unpinned: either way they are measured).
func TestBenchCommand(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	var cl struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	out := s.MustCLI(t, "", "client", "add", "--name", "bench", "--data-dir", s.Config.DataDir,
		"--grant-types", "client_credentials", "--json")
	if err := json.Unmarshal([]byte(out), &cl); err != nil {
		t.Fatalf("client add printed no JSON: %v\n%s", err, out)
	}
	var stdout, stderr bytes.Buffer
	pid := strconv.Itoa(os.Getpid())
	samplesFile := filepath.Join(t.TempDir(), "samples.csv")
	code := bench.Main(context.Background(), []string{"--target", s.URL, "--client-id", cl.ClientID,
		"--client-secret-stdin", "--duration", "300ms", "--concurrency", "2", "--workloads", "discovery,jwks,client_credentials",
		"--ca", filepath.Join(s.Config.DataDir, "localhost-cert.pem"), "--server-pid", pid,
		"--peer", s.URL, "--peer-pid", pid, "--json", "--samples-out", samplesFile, "--rounds", "2", "--server-cpu", "0"},
		strings.NewReader(cl.ClientSecret+"\n"), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var rep struct {
		Target, Peer   []bench.Result
		Signing        bench.Limits       `json:"signing_limits"`
		SigningByRound []bench.Limits     `json:"signing_limits_by_round"`
		Ratios         []bench.RatioRange `json:"per_core_ratios"`
		Where          string             `json:"signing_limits_measured"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil || len(rep.Target) != 3 || len(rep.Peer) != 3 {
		t.Fatalf("not 3 results for each of target and peer (%v):\n%s", err, stdout.String())
	}
	for _, r := range append(rep.Target, rep.Peer...) {
		if r.Requests == 0 || r.Errors != 0 || r.P50 <= 0 || r.P90 < r.P50 || r.P99 < r.P90 || r.P999 < r.P99 ||
			r.Max < r.P999 || r.CPUPer1000 <= 0 || (runtime.GOOS == "linux" && (r.CPUP50 <= 0 || r.CPUP99 < r.CPUP50 || r.CPUMax < r.CPUP99)) {
			t.Errorf("%+v", r)
		}
		// Two rounds pooled: each round's rate per core is kept.
		if r.Rounds != 2 || len(r.PerCoreByRound) != 2 || r.PerCoreByRound[0] <= 0 || r.PerCoreByRound[1] <= 0 {
			t.Errorf("%s: not pooled over 2 rounds: rounds %d, per core by round %v", r.Workload, r.Rounds, r.PerCoreByRound)
		}
	}
	if len(rep.Ratios) != 3 || len(rep.SigningByRound) != 2 || rep.Where == "" {
		t.Errorf("want 3 ratio ranges, 2 rounds of limits and where they were measured: %+v, %+v, %q", rep.Ratios, rep.SigningByRound, rep.Where)
	}
	for _, rr := range rep.Ratios {
		if len(rr.ByRound) != 2 || rr.Min > rr.Max || rr.Min <= 0 {
			t.Errorf("ratio range %+v", rr)
		}
	}
	// --samples-out holds one line per measured request of each run, with its round.
	csv, err := os.ReadFile(samplesFile)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(csv), "\n"), "\n")
	counts := map[string]int64{}
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		if len(f) != 7 || (f[6] != "1" && f[6] != "2") {
			t.Fatalf("samples line %q: not 7 fields ending in round 1 or 2", l)
		}
		counts[f[0]+" "+f[1]]++
	}
	for run, rs := range map[string][]bench.Result{"target": rep.Target, "peer": rep.Peer} {
		for _, r := range rs {
			if counts[run+" "+r.Workload] != r.Requests {
				t.Errorf("%s %s: %d samples, %d requests", run, r.Workload, counts[run+" "+r.Workload], r.Requests)
			}
		}
	}
	if rep.Signing.RS256PerSecond <= 0 || rep.Signing.ES256PerSecond <= 0 || rep.Signing.Argon2idPerSecond <= 0 {
		t.Errorf("signing limits not measured: %+v", rep.Signing)
	}
	// A usage error (no secret flag) runs nothing and exits 2.
	stdout.Reset()
	if code := bench.Main(context.Background(), []string{"--target", s.URL, "--client-id", "x"},
		strings.NewReader(""), &stdout, &stderr); code != 2 || stdout.Len() != 0 {
		t.Errorf("without --client-secret-stdin: exit %d, output %q; want 2 and nothing", code, stdout.String())
	}
}

// requireNode returns node, or skips when Node or interop/node_modules is
// missing, unless CI or GUILDGATE_TEST_INTEROP is set: then it fails.
func requireNode(t *testing.T) string {
	t.Helper()
	problem := ""
	node, err := exec.LookPath("node")
	if err != nil {
		problem = "node is not on PATH"
	} else if _, err := os.Stat("../../interop/node_modules/oidc-provider/package.json"); err != nil {
		problem = "interop/node_modules lacks oidc-provider: run `npm ci --prefix interop`"
	}
	if problem == "" {
		return node
	}
	if os.Getenv("CI") != "" || os.Getenv("GUILDGATE_TEST_INTEROP") != "" {
		t.Fatalf("benchmark against oidc-provider cannot run: %s", problem)
	}
	t.Skipf("benchmark against oidc-provider skipped: %s; set GUILDGATE_TEST_INTEROP=1 to make this a failure", problem)
	return ""
}

func loadPool(t *testing.T, file string) *x509.CertPool {
	t.Helper()
	pem, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("no certificate in %s", file)
	}
	return pool
}

// TestServerShipsNoLoadGenerator: the load generator is its own command
// (cmd/guildgate-bench); the identity provider's binary must not hold it.
func TestServerShipsNoLoadGenerator(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "../../cmd/guildgate").Output()
	if err != nil {
		t.Fatalf("go list -deps ./cmd/guildgate: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if p == "github.com/guildgate/guildgate/internal/bench" {
			t.Fatal("cmd/guildgate holds internal/bench: the load generator belongs to cmd/guildgate-bench only")
		}
	}
	out, err = exec.Command("go", "list", "-deps", "../../cmd/guildgate-bench").Output()
	if err != nil || !strings.Contains(string(out), "github.com/guildgate/guildgate/internal/bench\n") {
		t.Fatalf("cmd/guildgate-bench does not build on internal/bench: %v", err)
	}
}
