package partners_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/partners"
	"github.com/guildgate/guildgate/internal/testenv"
)

// Where Debian's apache2 and libapache2-mod-auth-openidc put things; the
// environment variables name others.
const (
	apacheBinary  = "/usr/sbin/apache2"
	apacheModules = "/usr/lib/apache2/modules"
)

// findApache returns the httpd binary, once the modules the test loads are
// found beside it.
func findApache() (string, string) {
	bin, ok := lookPath(os.Getenv("GUILDGATE_TEST_APACHE"), apacheBinary)
	if !ok {
		bin, ok = lookPath("apache2", apacheBinary)
	}
	if !ok {
		return "", "no apache2 binary (apt-get install apache2 libapache2-mod-auth-openidc; scripts/test does)"
	}
	for _, m := range apacheModuleFiles {
		if _, err := os.Stat(filepath.Join(moduleDir(), m.file)); err != nil {
			return "", fmt.Sprintf("no %s in %s (apt-get install apache2 libapache2-mod-auth-openidc; scripts/test does)", m.file, moduleDir())
		}
	}
	return bin, ""
}

func moduleDir() string {
	if d := os.Getenv("GUILDGATE_TEST_APACHE_MODULES"); d != "" {
		return d
	}
	return apacheModules
}

// apacheModuleFiles are what a minimal reverse proxy with OpenID Connect
// sign-in needs, nothing more.
var apacheModuleFiles = []struct{ name, file string }{
	{"mpm_event_module", "mod_mpm_event.so"},
	{"authn_core_module", "mod_authn_core.so"},
	{"authz_core_module", "mod_authz_core.so"},
	{"authz_user_module", "mod_authz_user.so"},
	{"proxy_module", "mod_proxy.so"},
	{"proxy_http_module", "mod_proxy_http.so"},
	{"auth_openidc_module", "mod_auth_openidc.so"},
}

// apache is a running httpd in front of the app.
type apache struct {
	origin string // http://localhost:<port>
	conf   string // the guide's configuration as rendered for this run
	errLog string
}

// startApache renders the guide's configuration with v, wraps it in a
// minimal server configuration of its own (no system files, a free port,
// the app behind it) and runs httpd in the foreground until the test ends.
// extra holds lines a partner may add to the guide's, such as OIDCDefaultURL.
func startApache(t *testing.T, e *rpEnv, bin, addr string, v partners.Values, extra string) *apache {
	t.Helper()
	conf, err := partners.ModAuthOpenIDC.Render(v)
	if err != nil {
		t.Fatal(err)
	}
	dir := privateDir(t)
	a := &apache{origin: "http://localhost:" + port(addr), conf: conf, errLog: filepath.Join(dir, "error.log")}
	main := writeFile(t, dir, "httpd.conf", a.serverConf(t, e, dir, addr)+"\n"+conf+"\n"+extra+"\n")
	p := testenv.StartProcess(t, dir, testenv.CleanEnv(), bin, "-f", main, "-DFOREGROUND")
	waitListening(t, addr, p, a.log)
	return a
}

// serverConf is what any site has around the guide's lines: where to
// listen, the modules, the logs, and the proxy to the app.
func (a *apache) serverConf(t *testing.T, e *rpEnv, dir, addr string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "ServerRoot %q\nDefaultRuntimeDir %q\nPidFile %q\nErrorLog %q\nLogLevel warn auth_openidc:info\n",
		dir, dir, filepath.Join(dir, "httpd.pid"), a.errLog)
	fmt.Fprintf(&b, "Listen %s\nServerName localhost\n", addr)
	for _, m := range apacheModuleFiles {
		fmt.Fprintf(&b, "LoadModule %s %q\n", m.name, filepath.Join(moduleDir(), m.file))
	}
	if os.Geteuid() == 0 { // httpd refuses to serve as root
		uid, gid := nobody(t)
		fmt.Fprintf(&b, "User #%d\nGroup #%d\n", uid, gid)
	}
	b.WriteString("StartServers 1\nServerLimit 1\nThreadsPerChild 16\nMaxRequestWorkers 16\n")
	fmt.Fprintf(&b, "ProxyPass \"/\" %q\n", e.app.URL+"/")
	return b.String()
}

func (a *apache) log() string {
	b, _ := os.ReadFile(a.errLog)
	return "Apache's error log:\n" + string(b)
}
