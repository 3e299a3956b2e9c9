package app_test

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/guildgate/guildgate/internal/testenv"
)

var bannerSetupLink = regexp.MustCompile(`\n  https://localhost:\d+(/admin/setup/[A-Za-z0-9_-]{43})\n`)

// testSetupLinkOnce is finding 12: the binary prints the first-administrator
// link at its first start only; a restart says how to ask for one, and
// `guildgate setup-link` makes one that replaces the first, until the site
// has an administrator.
func testSetupLinkOnce(t *testing.T, bin string) {
	dir, addr := t.TempDir(), testenv.FreeAddr(t)
	data := filepath.Join(dir, dataDir)
	p := serveBinary(t, bin, dir, addr)
	waitHealthyTLS(t, p, data, addr)
	p.WaitOutput(t, p.Stdout, "Or create the first administrator in your browser", outputTimeout)
	m := bannerSetupLink.FindStringSubmatch(p.Stdout.String())
	if m == nil {
		t.Fatalf("no setup link at the first start:\n%s", p.Stdout)
	}
	firstPath := m[1]
	stopBinary(t, p, syscall.SIGTERM)

	p = serveBinary(t, bin, dir, addr)
	pool := waitHealthyTLS(t, p, data, addr)
	p.WaitOutput(t, p.Stdout, "\n  guildgate setup-link\n", outputTimeout)
	if strings.Contains(p.Stdout.String()+p.Stderr.String(), "/admin/setup/") {
		t.Fatalf("the restart printed a setup link again:\n%s", p.Stdout)
	}

	out, _ := mustRunBinary(t, bin, dir, "", "setup-link")
	m = bannerSetupLink.FindStringSubmatch("\n  " + strings.TrimSpace(out[strings.LastIndex(out, "\n"+"https://")+1:]) + "\n")
	if m == nil || m[1] == firstPath {
		t.Fatalf("setup-link printed:\n%s", out)
	}
	c := tlsClient(t, pool, addr)
	if status, _, token := page(t, c, localURL(addr), m[1]); status != http.StatusOK || token == "" {
		t.Fatalf("the new link's page: %d", status)
	}
	if status, _, _ := page(t, c, localURL(addr), firstPath); status == http.StatusOK {
		t.Fatal("the first link still works after setup-link replaced it")
	}
	mustRunBinary(t, bin, dir, "long passphrase one\n", "member", "add", "--email", "root@example.org", "--name", "Root", "--admin", "--password-stdin")
	if _, errOut, code := runBinary(t, bin, dir, "", "setup-link"); code != 2 || !strings.Contains(errOut, "already has an administrator") {
		t.Fatalf("setup-link with an administrator: exit %d, %q", code, errOut)
	}
}

// testDatabaseFilesOwnerOnly is finding 10 through the binary, started
// with umask 0: the database and the WAL and shared-memory files SQLite
// makes beside it are for the service's user alone.
func testDatabaseFilesOwnerOnly(t *testing.T, bin string) {
	dir, addr := t.TempDir(), testenv.FreeAddr(t)
	data := filepath.Join(dir, dataDir)
	old := syscall.Umask(0) // inherited by the child; TestBinary's subtests run one at a time
	p := serveBinary(t, bin, dir, addr)
	syscall.Umask(old)
	waitHealthyTLS(t, p, data, addr)
	for _, f := range []string{"guildgate.db", "guildgate.db-wal", "guildgate.db-shm", "master.key"} {
		assertMode(t, filepath.Join(data, f), 0o600)
	}
	stopBinary(t, p, syscall.SIGTERM)
	if err := os.Chmod(filepath.Join(data, "guildgate.db"), 0o644); err != nil {
		t.Fatal(err)
	}
	p = serveBinary(t, bin, dir, addr)
	waitHealthyTLS(t, p, data, addr)
	p.WaitOutput(t, p.Stderr, `"msg":"a database file was readable by other users; it is now owner-only"`, outputTimeout)
	assertMode(t, filepath.Join(data, "guildgate.db"), 0o600)
}

// testMetricsAllowList is finding 12's other half: /metrics answers only
// the addresses --metrics-allow names (loopback by default), judged by the
// client address the trusted proxy reports, never by the proxy's own.
func testMetricsAllowList(t *testing.T, bin string) {
	dir, addr := t.TempDir(), testenv.FreeAddr(t)
	p := serveBinary(t, bin, dir, addr, "--trusted-proxy", "127.0.0.1/32")
	waitHealthyPlain(t, p, addr)
	for _, tt := range []struct {
		xff  string
		want int
	}{
		{"", http.StatusOK},                              // the proxy's host itself
		{"127.0.0.1", http.StatusOK},                     // a client on the loopback, through the proxy
		{"203.0.113.9", http.StatusForbidden},            // anyone out there, through the proxy
		{"127.0.0.1, 203.0.113.9", http.StatusForbidden}, // a client claiming to be the loopback
		{"203.0.113.9, 127.0.0.2", http.StatusOK},        // what the client wrote left of its address counts for nothing
	} {
		status, body := metricsThroughProxy(t, addr, tt.xff)
		if status != tt.want {
			t.Errorf("X-Forwarded-For %q: /metrics %d, want %d:\n%.200s", tt.xff, status, tt.want, body)
		}
		if status == http.StatusOK && !strings.Contains(body, "guildgate_http_requests_total") {
			t.Errorf("X-Forwarded-For %q: no metrics:\n%.200s", tt.xff, body)
		}
		if status == http.StatusForbidden && (strings.Contains(body, "guildgate_") || !strings.Contains(body, "--metrics-allow")) {
			t.Errorf("X-Forwarded-For %q: the refusal %q", tt.xff, body)
		}
	}
	stopBinary(t, p, syscall.SIGTERM)

	p = serveBinary(t, bin, dir, addr, "--metrics-allow", "192.0.2.0/24")
	pool := waitHealthyTLS(t, p, filepath.Join(dir, dataDir), addr)
	if status, body, _ := page(t, tlsClient(t, pool, addr), localURL(addr), "/metrics"); status != http.StatusForbidden {
		t.Fatalf("/metrics from 127.0.0.1 outside --metrics-allow: %d\n%.200s", status, body)
	}
}

func metricsThroughProxy(t *testing.T, addr, xff string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Forwarded-Proto", "https")
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	status, body, _ := readPage(t, resp)
	return status, body
}
