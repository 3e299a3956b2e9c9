package federation_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/testenv"
)

// The npm package oidc-provider plays the organisation's identity provider
// (interop/upstream-op.mjs). Without Node 20+ or interop/node_modules the
// test skips, and fails instead when CI or GUILDGATE_TEST_INTEROP is set,
// as the relying-party interop suite does.

const (
	opClientID     = "guildgate"
	opClientSecret = "upstream-client-secret-for-tests"
)

var interopDir = filepath.Join("..", "..", "interop")

func requireNode(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	problem := ""
	switch {
	case err != nil:
		problem = "node is not on PATH"
	default:
		if _, err := os.Stat(filepath.Join(interopDir, "node_modules", "oidc-provider", "package.json")); err != nil {
			problem = "interop/node_modules lacks oidc-provider: run `npm ci --prefix interop`"
		}
	}
	if problem != "" {
		if os.Getenv("CI") != "" || os.Getenv("GUILDGATE_TEST_INTEROP") != "" {
			t.Fatal(problem)
		}
		t.Skip(problem)
	}
	return node
}

// startOP runs oidc-provider until the test ends and returns its issuer.
// Its one client is registered with s's callback and signed-out page.
func startOP(t *testing.T, node string, s *testenv.Server, accounts map[string]map[string]any) string {
	t.Helper()
	client, _ := json.Marshal(map[string]any{"client_id": opClientID, "client_secret": opClientSecret,
		"redirect_uris":             []string{s.URL + "/auth/sso/callback"},
		"post_logout_redirect_uris": []string{s.URL + "/auth/sso/signed-out"}})
	accts, _ := json.Marshal(accounts)
	cmd := exec.Command(node, "upstream-op.mjs")
	cmd.Dir = interopDir
	cmd.Env = append(os.Environ(), "UPSTREAM_CERT="+upstreamCertFile, "UPSTREAM_KEY="+upstreamKeyFile,
		"UPSTREAM_CLIENT="+string(client), "UPSTREAM_ACCOUNTS="+string(accts))
	var stderr syncBuf
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if issuer, ok := strings.CutPrefix(sc.Text(), "READY "); ok {
				ready <- issuer
			}
		}
	}()
	select {
	case issuer := <-ready:
		return issuer
	case <-time.After(30 * time.Second):
		t.Fatalf("oidc-provider did not start:\n%s", stderr.String())
	}
	return ""
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }
