package partners_test

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/partners"
	"github.com/guildgate/guildgate/internal/testenv"
)

// envPartners makes a missing relying party (Apache with mod_auth_openidc,
// oauth2-proxy) fail the run instead of skipping it; scripts/test sets it,
// and CI=true counts the same, because a silently skipped suite there would
// prove nothing.
const envPartners = "GUILDGATE_TEST_PARTNERS"

const (
	password    = "correct horse battery"
	memberEmail = "ann@example.org" // in the permitted group "staff"
	outsider    = "bob@example.org" // in no group
	unverified  = "cy@example.org"  // in "staff", email address not verified
)

// need returns what find located, or skips the test (fails it when
// envPartners or CI is set) saying what is missing and how to get it.
func need(t *testing.T, what string, find func() (string, string)) string {
	t.Helper()
	path, problem := find()
	if problem == "" {
		return path
	}
	if os.Getenv("CI") != "" || os.Getenv(envPartners) != "" {
		t.Fatalf("%s cannot run: %s", what, problem)
	}
	t.Skipf("%s skipped: %s; set %s=1 to make this a failure", what, problem, envPartners)
	return ""
}

// rpEnv is the real server with a member inside the permitted group and one
// outside it, a private directory the relying party may read, the server's
// certificate there as the relying party's CA file, and the app behind the
// relying party.
type rpEnv struct {
	memberID string // memberEmail's, the sub Guildgate sends
	s        *testenv.Server
	dir      string
	caFile   string
	app      *httptest.Server
}

func newRPEnv(t *testing.T) *rpEnv {
	t.Helper()
	e := &rpEnv{s: testenv.Start(t, testenv.SQLite, nil), dir: privateDir(t)}
	e.s.MustCLI(t, "", "group", "add", "staff")
	var ann struct{ ID string }
	out := e.s.MustCLI(t, password+"\n", "member", "add", "--email", memberEmail, "--name", "Ann Baker",
		"--email-verified", "--password-stdin", "--json")
	if err := json.Unmarshal([]byte(out), &ann); err != nil || ann.ID == "" {
		t.Fatalf("member add: %v\n%s", err, out)
	}
	e.memberID = ann.ID
	e.s.MustCLI(t, "", "group", "add-member", "staff", memberEmail)
	e.s.MustCLI(t, password+"\n", "member", "add", "--email", outsider, "--name", "Bob Outsider",
		"--email-verified", "--password-stdin")
	e.s.MustCLI(t, password+"\n", "member", "add", "--email", unverified, "--name", "Cy Unverified", "--password-stdin")
	e.s.MustCLI(t, "", "group", "add-member", "staff", unverified)
	pem, err := os.ReadFile(filepath.Join(e.s.Config.DataDir, "localhost-cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	e.caFile = writeFile(t, e.dir, "guildgate-ca.pem", string(pem))
	e.app = httptest.NewServer(echoApp())
	t.Cleanup(e.app.Close)
	return e
}

// privateDir is a directory for a relying party's files. Apache started as
// root runs its workers as nobody, which must read the CA file there; the
// directory is then theirs (in the world-traversable temporary directory)
// and nobody else's.
func privateDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "guildgate-rp-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		uid, gid := nobody(t)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// writeFile puts a file a relying party reads into dir (a privateDir) and
// returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		uid, gid := nobody(t)
		if err := os.Chown(path, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// client registers rp's client for an app at origin, as the guide says,
// and returns the values its configuration is rendered with.
func (e *rpEnv) client(t *testing.T, rp partners.RP, origin string, extra ...string) partners.Values {
	t.Helper()
	v := partners.Values{Issuer: e.s.URL, RedirectURI: origin + rp.CallbackPath,
		PostLogoutRedirectURI: origin + rp.SignedOutPath, Passphrase: randomHex(16), CAFile: e.caFile}
	args := append([]string{"client", "add", "--name", rp.Name, "--redirect-uris", v.RedirectURI,
		"--post-logout-redirect-uris", v.PostLogoutRedirectURI, "--groups", "staff", "--json"}, extra...)
	var c struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
	}
	if err := json.Unmarshal([]byte(e.s.MustCLI(t, "", args...)), &c); err != nil {
		t.Fatal(err)
	}
	v.ClientID, v.ClientSecret = c.ID, c.Secret
	return v
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// echoApp is the partner's app: it shows what the relying party told it
// about the member, in the headers each guide names.
func echoApp() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen := map[string]string{"path": r.URL.Path}
		for k, vs := range r.Header {
			if k = strings.ToLower(k); strings.HasPrefix(k, "oidc_claim_") || strings.HasPrefix(k, "x-forwarded-") {
				seen[k] = strings.Join(vs, "|")
			}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(seen)
	})
}

// waitListening waits until addr accepts connections, or fails with what
// the process said.
func waitListening(t *testing.T, addr string, p *testenv.Process, logs func() string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return
		}
		if p.Exited() {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nothing listens on %s (exited: %v)\nstdout:\n%s\nstderr:\n%s\n%s", addr, p.Exited(), p.Stdout, p.Stderr, logs())
}

// lookPath finds a program on PATH or at one of the usual places.
func lookPath(name string, also ...string) (string, bool) {
	if p, err := exec.LookPath(name); err == nil {
		return p, true
	}
	for _, p := range also {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, true
		}
	}
	return "", false
}
