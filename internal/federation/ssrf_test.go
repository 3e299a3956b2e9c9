package federation_test

import (
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/guildgate/guildgate/internal/connections"
	"github.com/guildgate/guildgate/internal/testenv"
	"github.com/guildgate/guildgate/internal/upstream/oidc/oidctest"
)

// sink is a server on the machine's own network that Guildgate must never
// contact: it serves https with the certificate the server trusts (so any
// request that left would succeed and be seen) and counts connections
// accepted, not only requests answered.
type sink struct {
	srv   *httptest.Server
	conns atomic.Int32
}

func newSink(t *testing.T, plain bool) *sink {
	t.Helper()
	s := &sink{srv: httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"internal":"secret-from-the-private-network"}`)
	}))}
	s.srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	if plain {
		s.srv.Start()
	} else {
		s.srv.TLS = &tls.Config{Certificates: []tls.Certificate{upstreamCert}}
		s.srv.StartTLS()
	}
	t.Cleanup(s.srv.Close)
	return s
}

func (s *sink) wantNothing(t *testing.T) {
	t.Helper()
	if n := s.conns.Load(); n != 0 {
		t.Fatalf("the server contacted the private sink (%d connection(s))", n)
	}
}

// setupLinkPath makes a draft connection and a setup link for it; it
// returns the link's path.
func setupLinkPath(t *testing.T, s *testenv.Server) string {
	t.Helper()
	var c, link struct{ ID, URL string }
	if err := json.Unmarshal([]byte(s.MustCLI(t, "", "connection", "add", "--name", "Acme", "--domains", "acme.example",
		"--json")), &c); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(s.MustCLI(t, "", "connection", "setup-link", c.ID, "--json")), &link); err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(link.URL, s.URL)
}

// TestSetupLinkReachesNoPrivateAddress: a setup-link holder (no account)
// who points the connection at the server's own network, by address or by
// name, through discovery or hand-entered endpoints, makes the server
// contact nothing there, and the page says only what a holder may know;
// after MaxSetupAttempts tests the link is spent.
func TestSetupLinkReachesNoPrivateAddress(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil) // the production default: private addresses refused
	sk := newSink(t, false)
	port := sk.srv.Listener.Addr().(*net.TCPAddr).Port
	b := newBrowser(t, s)
	path := setupLinkPath(t, s)
	page := b.get(path)
	base := url.Values{"client_id": {"guildgate"}, "client_secret": {"s3cret"}, "auth_method": {"client_secret_basic"},
		"contact": {"Mallory"}}
	forms := []url.Values{}
	for _, host := range []string{"127.0.0.1", "localhost", "[::ffff:127.0.0.1]"} {
		f := clone(base)
		f.Set("discovery_url", "https://"+host+":"+strconv.Itoa(port)+"/internal/admin")
		forms = append(forms, f)
	}
	manual := clone(base)
	for k, v := range map[string]string{"issuer": "/issuer", "authorization_url": "/authorize", "token_url": "/token", "jwks_url": "/keys"} {
		manual.Set(k, sk.srv.URL+v)
	}
	forms = append(forms, manual)
	for i := range connections.MaxSetupAttempts {
		f := forms[i%len(forms)]
		f.Set("csrf_token", csrf(t, page))
		page = b.post(path, f)
		sk.wantNothing(t)
		if page.status != http.StatusUnprocessableEntity || !strings.Contains(page.body, "the connection test did not pass") {
			t.Fatalf("attempt %d: %d\n%s", i+1, page.status, page.body)
		}
		want := "the discovery document could not be fetched"
		if f.Get("discovery_url") == "" {
			want = "the JWKS could not be fetched or holds no signing key"
		}
		if !strings.Contains(page.body, want) {
			t.Fatalf("attempt %d: the page does not say %q:\n%s", i+1, want, page.body)
		}
		for _, leak := range []string{"secret-from-the-private-network", "loopback", "refused", "dial", "allow-private",
			"answered", "unreachable", "tcp", "x509"} {
			if strings.Contains(page.body, leak) {
				t.Fatalf("attempt %d: the setup page shows %q:\n%s", i+1, leak, page.body)
			}
		}
	}
	sk.wantNothing(t)
	if spent := b.get(path); spent.status != http.StatusNotFound || !strings.Contains(spent.body, "run out of connection tests") {
		t.Fatalf("spent link: %d\n%s", spent.status, spent.body)
	}
}

// TestAdminTestReachesNoPrivateAddress: an administrator's "Test
// connection" (console and CLI) against a connection pointed at the
// server's own network contacts nothing there either; the administrator
// is told why.
func TestAdminTestReachesNoPrivateAddress(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	sk := newSink(t, false)
	id := addConnection(t, s, "s3cret", "--name", "Intranet", "--discovery-url", sk.srv.URL+"/internal",
		"--client-id", "guildgate", "--domains", "acme.example")
	b := newBrowser(t, s)
	b.signInWithPassword(t, "admin@example.org", "--admin")
	p := b.get("/admin/connections/" + id + "/test")
	sk.wantNothing(t)
	if p.status != http.StatusOK || !strings.Contains(p.body, `data-check="discovery"`) ||
		!strings.Contains(p.body, "a loopback address") || strings.Contains(p.body, "secret-from-the-private-network") {
		t.Fatalf("console test: %d\n%s", p.status, p.body)
	}
	fs, code := testConnection(t, s, id)
	if code != 1 || len(fs) != 1 || fs[0].OK || !strings.Contains(fs[0].Message, "allow-private-upstreams") {
		t.Fatalf("CLI test: exit %d, %+v", code, fs)
	}
	sk.wantNothing(t)
}

// TestSignInFollowsNoRedirectToPrivate: on the sign-in path (private
// addresses allowed here, for the loopback provider), a provider whose
// token endpoint or JWKS redirects elsewhere, or whose discovery document
// redirects to plain http, is refused: the redirect's target gets nothing
// (not the code, not the client secret), no member is created, and the
// refusals are counted.
func TestSignInFollowsNoRedirectToPrivate(t *testing.T) {
	a := newAcme(t, "--jit")
	sk, plain := newSink(t, false), newSink(t, true)
	var target atomic.Pointer[string]
	mover := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, *target.Load(), http.StatusTemporaryRedirect)
	}))
	mover.TLS = &tls.Config{Certificates: []tls.Certificate{upstreamCert}}
	mover.StartTLS()
	t.Cleanup(mover.Close)
	for _, field := range []string{"token_endpoint", "jwks_uri"} {
		t.Run(field, func(t *testing.T) {
			to := sk.srv.URL + "/stolen"
			target.Store(&to)
			a.p.Set(func(p *oidctest.Provider) {
				p.Discovery = func(d map[string]any) { d[field] = mover.URL + "/moved" }
			})
			a.s.MustCLI(t, "", "connection", "update", a.connID, "--name", "Acme "+field) // a new version: discovery is fetched afresh
			wantRefused(t, a.signIn(newBrowser(t, a.s), "ada@acme.example", ""), http.StatusBadRequest, "could not be verified")
		})
	}
	t.Run("discovery to http", func(t *testing.T) {
		to := plain.srv.URL + "/.well-known/openid-configuration"
		target.Store(&to)
		a.s.MustCLI(t, "", "connection", "update", a.connID, "--discovery-url", mover.URL)
		b := newBrowser(t, a.s)
		wantRefused(t, b.get(startURL(t, b.enterEmail("ada@acme.example", ""))), http.StatusBadGateway, "not set up correctly")
	})
	sk.wantNothing(t)
	plain.wantNothing(t)
	if ms := members(t, a.s); len(ms) != 0 {
		t.Fatalf("members: %+v", ms)
	}
	metrics := a.s.FollowingClient(t)
	resp, err := metrics.Get(a.s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{`guildgate_outbound_requests_total{outcome="redirect",purpose="token"} 1`,
		`guildgate_outbound_requests_total{outcome="redirect",purpose="jwks"}`,
		`guildgate_outbound_requests_total{outcome="refused",purpose="discovery"} 1`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func clone(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// signInWithPassword adds a member with the CLI (extra flags such as
// --admin) and signs this browser in as them with their password.
func (b *browser) signInWithPassword(t *testing.T, email string, extra ...string) {
	t.Helper()
	const password = "correct horse battery"
	b.s.MustCLI(t, password+"\n", append([]string{"member", "add", "--email", email, "--name", "Admin", "--password-stdin"}, extra...)...)
	p := b.enterEmail(email, "")
	p = b.post("/login", url.Values{"csrf_token": {csrf(t, p)}, "email": {email}, "password": {password}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("password sign-in: %d\n%s", p.status, p.body)
	}
}
