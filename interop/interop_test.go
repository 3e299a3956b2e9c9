// Package interop runs the relying-party libraries partners actually use,
// openid-client (v6) and oauth4webapi from npm, against the real server over
// HTTPS. They validate responses strictly and independently of our own
// code, so a test here fails when Guildgate violates a spec, not only when it
// disagrees with itself. The Go side starts the server and registers the
// fixture; the flows live in *.test.mjs, run by Node's built-in test runner.
package interop

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/testenv"
)

// envInterop makes a missing Node or node_modules fail the run instead of
// skipping it; scripts/test sets it (so does CI, through CI=true), because a
// silently skipped suite there would prove nothing.
const envInterop = "GUILDGATE_TEST_INTEROP"

// Redirect URIs the fixture registers. rp.example does not exist: the user
// agent in ua.mjs stops at the first redirect to it.
const (
	redirectURI   = "https://rp.example/cb"
	postLogoutURI = "https://rp.example/logged-out"
)

func TestRelyingPartyLibraries(t *testing.T) {
	node := requireNode(t)
	for _, backend := range []testenv.Backend{testenv.SQLite, testenv.Postgres} {
		t.Run(string(backend), func(t *testing.T) {
			s := testenv.Start(t, backend, nil) // skips PostgreSQL unless GUILDGATE_TEST_POSTGRES is set
			runNode(t, node, s, newFixture(t, s))
		})
	}
}

// requireNode returns the node binary, or skips (fails under CI or
// GUILDGATE_TEST_INTEROP) when Node 20+ or the npm packages are missing.
func requireNode(t *testing.T) string {
	t.Helper()
	problem := ""
	node, err := exec.LookPath("node")
	switch {
	case err != nil:
		problem = "node is not on PATH (install Node.js 20 or later)"
	case nodeMajor(node) < 20:
		problem = "node is older than 20 (the suite needs its built-in fetch and test runner)"
	default:
		for _, pkg := range []string{"openid-client", "oauth4webapi", "jose"} {
			if _, err := os.Stat(filepath.Join("node_modules", pkg, "package.json")); err != nil {
				problem = "interop/node_modules lacks " + pkg + ": run `npm ci --prefix interop` (scripts/test does)"
			}
		}
	}
	if problem == "" {
		return node
	}
	if os.Getenv("CI") != "" || os.Getenv(envInterop) != "" {
		t.Fatalf("relying-party interop suite cannot run: %s", problem)
	}
	t.Skipf("relying-party interop suite skipped: %s; set %s=1 to make this a failure", problem, envInterop)
	return ""
}

func nodeMajor(node string) int {
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return 0
	}
	major, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(string(out)), "v"), ".")
	n, _ := strconv.Atoi(major)
	return n
}

// runNode runs every *.test.mjs with the fixture in the environment and
// fails the test with Node's output when any flow fails.
func runNode(t *testing.T, node string, s *testenv.Server, fx fixture) {
	t.Helper()
	files, err := filepath.Glob("*.test.mjs")
	if err != nil || len(files) == 0 {
		t.Fatalf("no *.test.mjs files in interop/ (%v)", err)
	}
	blob, err := json.Marshal(fx)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	args := append([]string{"--test", "--test-reporter=spec"}, files...)
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Env = append(testenv.CleanEnv(),
		"INTEROP_FIXTURE="+string(blob),
		// Node trusts the server's self-signed certificate as a root.
		"NODE_EXTRA_CA_CERTS="+filepath.Join(s.Config.DataDir, "localhost-cert.pem"),
		// The issuer says localhost and the server listens on 127.0.0.1 only;
		// Node 20 may otherwise try ::1 first.
		"NODE_OPTIONS="+strings.TrimSpace(os.Getenv("NODE_OPTIONS")+" --dns-result-order=ipv4first"),
		"NO_COLOR=1",
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test failed (%v):\n%s\nserver log, without the access log (tail):\n%s", err, out, serverNotes(s.Logs.String(), 40))
	}
	t.Logf("node --test:\n%s", out)
}

// serverNotes returns the last n log lines other than the per-request
// access log: the oauth errors and their causes that explain a refusal.
func serverNotes(logs string, n int) string {
	var notes []string
	for _, line := range strings.Split(logs, "\n") {
		if line != "" && !strings.Contains(line, `"msg":"request"`) {
			notes = append(notes, line)
		}
	}
	return strings.Join(notes[max(0, len(notes)-n):], "\n")
}
