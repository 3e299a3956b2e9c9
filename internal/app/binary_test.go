package app_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/store/storetest"
	"github.com/guildgate/guildgate/internal/testenv"
)

const (
	binaryVersion = "9.9.9-e2e"
	startTimeout  = 30 * time.Second
	outputTimeout = 5 * time.Second  // for what a healthy server has already printed
	dataDir       = "guildgate-data" // the default --data-dir, relative to the working directory
)

// TestBinary drives the built guildgate binary as an operator does: in fresh
// directories, with no GUILDGATE_* variable but the listen address (8443 may
// be taken on a developer's machine).
func TestBinary(t *testing.T) {
	// Like every test that only drives guildgate binaries (each with its own
	// data, schema and ports, waiting on them far more than computing), it
	// runs beside the others: go test starts them once the serial tests, the
	// in-process heap measurement among them, have finished.
	t.Parallel()
	bin := testenv.BuildBinary(t, "-X github.com/guildgate/guildgate/internal/cli.Version="+binaryVersion)
	t.Run("newcomer serve", func(t *testing.T) { testNewcomerServe(t, bin) })
	t.Run("CLI beside the server", func(t *testing.T) { testCLIBesideServer(t, bin) })
	t.Run("hint names another database", func(t *testing.T) { testHintNamesDatabase(t, bin) })
	t.Run("PostgreSQL password not printed", func(t *testing.T) { testPostgresPasswordHidden(t, bin) })
	for _, sig := range []struct {
		name string
		sig  os.Signal
	}{{"SIGTERM", syscall.SIGTERM}, {"SIGINT", syscall.SIGINT}} {
		t.Run("graceful stop on "+sig.name, func(t *testing.T) { testGracefulStop(t, bin, sig.sig) })
	}
	t.Run("behind a trusted proxy", func(t *testing.T) { testTrustedProxy(t, bin) })
	t.Run("behind an untrusted proxy", func(t *testing.T) { testUntrustedProxy(t, bin) })
	t.Run("setup link at the first start only", func(t *testing.T) { testSetupLinkOnce(t, bin) })
	t.Run("database files owner-only", func(t *testing.T) { testDatabaseFilesOwnerOnly(t, bin) })
	t.Run("metrics allow-list", func(t *testing.T) { testMetricsAllowList(t, bin) })
}

// testNewcomerServe is README's first command: `guildgate serve` with no
// flags and no file makes its data directory and certificate, says what to
// do next, serves HTTPS only, and keeps the certificate across restarts.
func testNewcomerServe(t *testing.T, bin string) {
	dir, addr := t.TempDir(), testenv.FreeAddr(t)
	data := filepath.Join(dir, dataDir)
	p := serveBinary(t, bin, dir, addr)
	waitHealthyTLS(t, p, data, addr)

	assertMode(t, data, os.ModeDir|0o700)
	assertMode(t, filepath.Join(data, "localhost-key.pem"), 0o600)
	for _, f := range []string{"guildgate.db", "localhost-cert.pem"} {
		if _, err := os.Stat(filepath.Join(data, f)); err != nil {
			t.Errorf("serve did not create %s: %v", f, err)
		}
	}
	p.WaitOutput(t, p.Stdout, "Sign-in page: "+localURL(addr)+"/login\n", outputTimeout)
	p.WaitOutput(t, p.Stdout, "\n  echo 'a long passphrase' | guildgate member add --email you@example.org "+
		`--name "Your Name" --admin --password-stdin`+"\n", outputTimeout)
	assertPlainHTTPRefused(t, addr)

	cert := readFile(t, filepath.Join(data, "localhost-cert.pem"))
	stopBinary(t, p, syscall.SIGTERM)
	waitHealthyTLS(t, serveBinary(t, bin, dir, addr), data, addr)
	if !bytes.Equal(cert, readFile(t, filepath.Join(data, "localhost-cert.pem"))) {
		t.Error("the second start replaced the certificate; browsers would have to accept a new one")
	}
}

// testCLIBesideServer runs the data commands through the binary in the
// server's directory while it serves (SQLite in WAL mode lets both in), and
// signs in with what the CLI made.
func testCLIBesideServer(t *testing.T, bin string) {
	const email, pw = "ada@example.org", "correct horse battery"
	dir, addr := t.TempDir(), testenv.FreeAddr(t)
	p := serveBinary(t, bin, dir, addr)
	pool := waitHealthyTLS(t, p, filepath.Join(dir, dataDir), addr)

	out, errOut := mustRunBinary(t, bin, dir, pw+"\n", "member", "add", "--email", email, "--name", "Ada Lovelace", "--password-stdin")
	if strings.Contains(out+errOut, pw) {
		t.Error("member add printed the password")
	}
	out, _ = mustRunBinary(t, bin, dir, "", "member", "list", "--json")
	var members []struct{ Email, Name string }
	if err := json.Unmarshal([]byte(out), &members); err != nil || len(members) != 1 ||
		members[0].Email != email || members[0].Name != "Ada Lovelace" {
		t.Fatalf("member list --json = %v (%v):\n%s", members, err, out)
	}
	resp := signIn(t, tlsClient(t, pool, addr), localURL(addr), email, pw)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the running server refused the member the CLI added: %d", resp.StatusCode)
	}

	out, _ = mustRunBinary(t, bin, dir, "", "version")
	if !regexp.MustCompile(`^guildgate ` + regexp.QuoteMeta(binaryVersion) + ` \(commit \S+\)\n$`).MatchString(out) {
		t.Errorf("version printed %q", out)
	}
	out, errOut, code := runBinary(t, bin, dir, "", "frobnicate")
	if code != 2 || out != "" || !strings.Contains(errOut, `guildgate: unknown command "frobnicate"`) {
		t.Errorf("an unknown command: exit %d, stdout %q, stderr %q; want 2, nothing, the message", code, out, errOut)
	}
}

// testHintNamesDatabase: away from the default database, the banner's
// member-add command carries --database, quoted so that it pastes into a
// shell as one argument.
func testHintNamesDatabase(t *testing.T, bin string) {
	dir, addr := t.TempDir(), testenv.FreeAddr(t)
	p := serveBinary(t, bin, dir, addr, "--data-dir", "site data")
	waitHealthyTLS(t, p, filepath.Join(dir, "site data"), addr)
	p.WaitOutput(t, p.Stdout, "--password-stdin --database 'site data/guildgate.db'\n", outputTimeout)
}

// testPostgresPasswordHidden: the banner names the PostgreSQL database but
// masks its password, since stdout usually ends up in a log.
func testPostgresPasswordHidden(t *testing.T, bin string) {
	u, err := url.Parse(storetest.PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	password, ok := u.User.Password()
	if !ok { // trust authentication ignores a password, so give it one to leak
		password = "s3cret-not-to-print"
		u.User = url.UserPassword(u.User.Username(), password)
	}
	dir, addr := t.TempDir(), testenv.FreeAddr(t)
	p := serveBinary(t, bin, dir, addr, "--database", u.String())
	waitHealthyTLS(t, p, filepath.Join(dir, dataDir), addr)
	p.WaitOutput(t, p.Stdout, "--password-stdin --database '"+u.Redacted()+"'\n", outputTimeout)
	if strings.Contains(p.Stdout.String()+p.Stderr.String(), password) {
		t.Errorf("serve printed the database password:\n%s%s", p.Stdout, p.Stderr)
	}
}

// testGracefulStop sends sig while a request is in flight: the server stops
// accepting, lets that request finish, logs "stopped" and exits 0 within
// its shutdown timeout.
func testGracefulStop(t *testing.T, bin string, sig os.Signal) {
	const grace = 10 * time.Second
	dir, addr := t.TempDir(), testenv.FreeAddr(t)
	p := serveBinary(t, bin, dir, addr, "--shutdown-timeout", grace.String())
	pool := waitHealthyTLS(t, p, filepath.Join(dir, dataDir), addr)
	slow := beginSlowRequest(t, pool, addr)

	sent := time.Now()
	p.Signal(t, sig)
	p.WaitOutput(t, p.Stderr, `"msg":"shutting down"`, grace)
	assertStopsAccepting(t, addr)
	if p.Exited() {
		t.Fatalf("the server exited with a request in flight\nstderr:\n%s", p.Stderr)
	}
	if status := slow.finish(t); status != http.StatusForbidden {
		t.Errorf("the in-flight request got %d, want the handler's own answer (403: it carries no CSRF token)", status)
	}
	if code := p.Wait(t, grace); code != 0 {
		t.Fatalf("exit status %d after %v, want 0\nstderr:\n%s", code, sig, p.Stderr)
	}
	if took := time.Since(sent); took > grace {
		t.Errorf("stopping took %v, longer than the %v shutdown timeout", took, grace)
	}
	if !strings.Contains(p.Stderr.String(), `"msg":"stopped"`) {
		t.Errorf("no \"stopped\" log line:\n%s", p.Stderr)
	}
}

// assertStopsAccepting waits (briefly: the log line comes just before the
// listener closes) until new connections are refused.
func assertStopsAccepting(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections after the signal")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// testTrustedProxy: with --trusted-proxy and no certificate, serve speaks
// plain HTTP and serves what the proxy vouches for with X-Forwarded-Proto.
func testTrustedProxy(t *testing.T, bin string) {
	dir, addr := t.TempDir(), testenv.FreeAddr(t)
	p := serveBinary(t, bin, dir, addr, "--trusted-proxy", "127.0.0.1/32")
	waitHealthyPlain(t, p, addr)
	if _, err := os.Stat(filepath.Join(dir, dataDir, "localhost-cert.pem")); err == nil {
		t.Error("serve made a self-signed certificate although a proxy terminates TLS")
	}
	if status, body := plainGet(t, addr, "/login", "https"); status != http.StatusOK || !strings.Contains(body, `name="email"`) {
		t.Fatalf("GET /login with X-Forwarded-Proto: https from the proxy: %d\n%s", status, body)
	}
	assertRefusedPlain(t, addr, "")
}

// testUntrustedProxy: 127.0.0.1 is not in the trusted 10.0.0.0/8, so its
// X-Forwarded-Proto proves nothing and the request is refused.
func testUntrustedProxy(t *testing.T, bin string) {
	dir, addr := t.TempDir(), testenv.FreeAddr(t)
	p := serveBinary(t, bin, dir, addr, "--trusted-proxy", "10.0.0.0/8")
	waitHealthyPlain(t, p, addr)
	assertRefusedPlain(t, addr, "https")
}

// serveBinary starts `guildgate serve args...` in dir, with GUILDGATE_ADDR
// its only setting from the environment.
func serveBinary(t *testing.T, bin, dir, addr string, args ...string) *testenv.Process {
	t.Helper()
	env := testenv.CleanEnv("GUILDGATE_ADDR=" + addr)
	return testenv.StartProcess(t, dir, env, bin, append([]string{"serve"}, args...)...)
}

// stopBinary stops p with sig and expects a clean exit.
func stopBinary(t *testing.T, p *testenv.Process, sig os.Signal) {
	t.Helper()
	p.Signal(t, sig)
	if code := p.Wait(t, 20*time.Second); code != 0 {
		t.Fatalf("exit status %d after %v\nstderr:\n%s", code, sig, p.Stderr)
	}
}

// localURL is the default issuer for a server listening on addr.
func localURL(addr string) string {
	return "https://localhost" + addr[strings.LastIndex(addr, ":"):]
}

// waitHealthyTLS waits until /healthz answers over TLS, verified against the
// certificate serve generated for localhost in data, and returns a pool
// trusting it.
func waitHealthyTLS(t *testing.T, p *testenv.Process, data, addr string) *x509.CertPool {
	t.Helper()
	var pool *x509.CertPool
	waitHealthy(t, p, func() error {
		pem, err := os.ReadFile(filepath.Join(data, "localhost-cert.pem"))
		if err != nil {
			return err
		}
		pool = x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("no certificate in %s", pem)
		}
		return getOK(tlsClient(t, pool, addr), "https://localhost/healthz")
	})
	return pool
}

// waitHealthyPlain waits until /healthz answers over plain HTTP.
func waitHealthyPlain(t *testing.T, p *testenv.Process, addr string) {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	waitHealthy(t, p, func() error { return getOK(c, "http://"+addr+"/healthz") })
}

func waitHealthy(t *testing.T, p *testenv.Process, probe func() error) {
	t.Helper()
	deadline := time.Now().Add(startTimeout)
	for err := probe(); err != nil; err = probe() {
		if p.Exited() || time.Now().After(deadline) {
			t.Fatalf("server not healthy (exited: %v): %v\nstdout:\n%s\nstderr:\n%s", p.Exited(), err, p.Stdout, p.Stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func getOK(c *http.Client, url string) error {
	defer c.CloseIdleConnections()
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}

// tlsClient trusts pool for the name localhost, dials addr whatever the URL
// says, keeps cookies and does not follow redirects.
func tlsClient(t *testing.T, pool *x509.CertPool, addr string) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Client{
		Jar:     jar,
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "localhost"},
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return dialer.DialContext(ctx, network, addr)
			},
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// assertPlainHTTPRefused speaks plain HTTP to the TLS port: the answer must
// be a bare 400 naming HTTPS, never a page.
func assertPlainHTTPRefused(t *testing.T, addr string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(conn, "GET /login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "HTTPS") || strings.Contains(string(b), "<") {
		t.Fatalf("plain HTTP on the TLS port got %d: %q", resp.StatusCode, b)
	}
}

// assertRefusedPlain expects a plain-HTTP GET /login (with forwardedProto as
// X-Forwarded-Proto, if not empty) to get 400 and the explanation.
func assertRefusedPlain(t *testing.T, addr, forwardedProto string) {
	t.Helper()
	status, body := plainGet(t, addr, "/login", forwardedProto)
	if status != http.StatusBadRequest || !strings.Contains(body, "only serves HTTPS") ||
		!strings.Contains(body, "--trusted-proxy") || strings.Contains(body, "<form") {
		t.Fatalf("plain GET /login (X-Forwarded-Proto %q) got %d:\n%s", forwardedProto, status, body)
	}
}

func plainGet(t *testing.T, addr, path, forwardedProto string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if forwardedProto != "" {
		req.Header.Set("X-Forwarded-Proto", forwardedProto)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// slowRequest is a POST whose body the client holds back, so the handler
// is running, waiting for it.
type slowRequest struct {
	conn *tls.Conn
	r    *bufio.Reader
}

const slowBody = "csrf_token=none"

// beginSlowRequest sends the headers of POST /log-out with Expect:
// 100-continue and returns once the server says "100 Continue", which
// net/http does when the handler first reads the body: the request is then
// in flight.
func beginSlowRequest(t *testing.T, pool *x509.CertPool, addr string) *slowRequest {
	t.Helper()
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	conn, err := tls.DialWithDialer(dialer, "tcp", addr, &tls.Config{RootCAs: pool, ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	fmt.Fprintf(conn, "POST /log-out HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"Content-Length: %d\r\nExpect: 100-continue\r\n\r\n", len(slowBody))
	s := &slowRequest{conn: conn, r: bufio.NewReader(conn)}
	resp, err := http.ReadResponse(s.r, nil)
	if err != nil || resp.StatusCode != http.StatusContinue {
		t.Fatalf("no 100 Continue: %v %v", resp, err)
	}
	return s
}

// finish sends the body and returns the status of the response.
func (s *slowRequest) finish(t *testing.T) int {
	t.Helper()
	if _, err := io.WriteString(s.conn, slowBody); err != nil {
		t.Fatalf("send the held-back body: %v", err)
	}
	resp, err := http.ReadResponse(s.r, nil)
	if err != nil {
		t.Fatalf("the in-flight request got no response: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// runBinary runs a guildgate command in dir with no GUILDGATE_* variable.
func runBinary(t *testing.T, bin, dir, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir, cmd.Env = dir, testenv.CleanEnv()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(stdin), &out, &errOut
	var exit *exec.ExitError
	if err := cmd.Run(); err != nil && !errors.As(err, &exit) {
		t.Fatalf("guildgate %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
}

func mustRunBinary(t *testing.T, bin, dir, stdin string, args ...string) (stdout, stderr string) {
	t.Helper()
	out, errOut, code := runBinary(t, bin, dir, stdin, args...)
	if code != 0 {
		t.Fatalf("guildgate %s: exit %d\nstderr:\n%s", strings.Join(args, " "), code, errOut)
	}
	return out, errOut
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode() != want {
		t.Errorf("%s has mode %v, want %v", path, fi.Mode(), want)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
