package partners_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/partners"
	"github.com/guildgate/guildgate/internal/testenv"
)

// The express app's packages are the interop suite's (interop/package.json,
// installed by scripts/test with npm ci).
var interopModules, _ = filepath.Abs(filepath.Join("..", "..", "interop", "node_modules"))

// findNode returns node once it is recent enough for express-openid-connect
// 3.4 and the packages are installed.
func findNode() (string, string) {
	node, err := exec.LookPath("node")
	if err != nil {
		return "", "node is not on PATH (install Node.js 20.19 or later)"
	}
	out, err := exec.Command(node, "--version").Output()
	v := strings.Split(strings.TrimPrefix(strings.TrimSpace(string(out)), "v"), ".")
	if major, minor := atoi(v, 0), atoi(v, 1); err != nil || major < 20 || major == 20 && minor < 19 {
		return "", "node " + strings.TrimSpace(string(out)) + " is older than 20.19, which express-openid-connect 3.4 needs"
	}
	for _, pkg := range []string{"express", "express-openid-connect"} {
		if _, err := os.Stat(filepath.Join(interopModules, pkg, "package.json")); err != nil {
			return "", "interop/node_modules lacks " + pkg + ": run `npm ci --prefix interop` (scripts/test does)"
		}
	}
	return node, ""
}

func atoi(parts []string, i int) int {
	if i >= len(parts) {
		return 0
	}
	n, _ := strconv.Atoi(parts[i])
	return n
}

// expressApp is the guide's app, running.
type expressApp struct {
	origin string
	p      *testenv.Process
}

// startExpress renders the guide's app with v (listening on addr) and runs
// it with node, trusting Guildgate's certificate through the CA file as
// the guide says.
func startExpress(t *testing.T, e *rpEnv, node, addr string, v partners.Values) *expressApp {
	t.Helper()
	v.Listen = addr
	app, err := partners.ExpressOpenIDConnect.Render(v)
	if err != nil {
		t.Fatal(err)
	}
	dir := privateDir(t)
	file := writeFile(t, dir, "app.js", app)
	env := testenv.CleanEnv("NODE_PATH="+interopModules, "NODE_EXTRA_CA_CERTS="+v.CAFile, "NODE_ENV=production",
		// The issuer says localhost and the server listens on 127.0.0.1 only.
		"NODE_OPTIONS=--dns-result-order=ipv4first")
	p := testenv.StartProcess(t, dir, env, node, file)
	x := &expressApp{origin: "http://localhost:" + port(addr), p: p}
	waitListening(t, addr, p, func() string { return "" })
	return x
}

func (x *expressApp) log() string {
	return "the app's output:\n" + x.p.Stdout.String() + x.p.Stderr.String()
}
