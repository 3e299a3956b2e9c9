package partners_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/partners"
	"github.com/guildgate/guildgate/internal/testenv"
)

// oauth2ProxyVersion is the release scripts/test installs and the guide
// was tested with.
const oauth2ProxyVersion = "v7.15.6"

// findOAuth2Proxy returns the oauth2-proxy binary: GUILDGATE_TEST_OAUTH2_PROXY,
// else the one on PATH, else the one go install puts in $(go env GOPATH)/bin.
func findOAuth2Proxy() (string, string) {
	candidates := []string{os.Getenv("GUILDGATE_TEST_OAUTH2_PROXY")}
	if p, err := exec.LookPath("oauth2-proxy"); err == nil {
		candidates = append(candidates, p)
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		candidates = append(candidates, filepath.Join(strings.TrimSpace(string(out)), "bin", "oauth2-proxy"))
	}
	for _, c := range candidates {
		if p, ok := lookPath(c); c != "" && ok {
			return p, ""
		}
	}
	return "", "no oauth2-proxy binary (go install github.com/oauth2-proxy/oauth2-proxy/v7@" + oauth2ProxyVersion + "; scripts/test does)"
}

// oauth2Proxy is a running oauth2-proxy in front of the app.
type oauth2Proxy struct {
	origin string
	p      *testenv.Process
}

// startOAuth2Proxy renders the guide's configuration with v (listening on
// addr, the app as upstream) and runs it until the test ends.
func startOAuth2Proxy(t *testing.T, e *rpEnv, bin, addr string, v partners.Values) *oauth2Proxy {
	t.Helper()
	v.Upstream, v.Listen = e.app.URL+"/", addr
	conf, err := partners.OAuth2Proxy.Render(v)
	if err != nil {
		t.Fatal(err)
	}
	dir := privateDir(t)
	file := writeFile(t, dir, "oauth2-proxy.cfg", conf)
	p := testenv.StartProcess(t, dir, testenv.CleanEnv(), bin, "--config", file)
	o := &oauth2Proxy{origin: "http://localhost:" + port(addr), p: p}
	waitListening(t, addr, p, func() string { return "" })
	return o
}

func (o *oauth2Proxy) log() string {
	return "oauth2-proxy's output:\n" + o.p.Stdout.String() + o.p.Stderr.String()
}

// logs waits for oauth2-proxy to write want: it logs a refusal after it
// has answered the browser, so the line may arrive a moment after the page.
// The wait is a bound on a hang, not a timing assertion.
func (o *oauth2Proxy) logs(want string) bool {
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if strings.Contains(o.log(), want) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}
