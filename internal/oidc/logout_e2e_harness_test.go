package oidc_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/guildgate/guildgate/internal/app"
	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/config"
	"github.com/guildgate/guildgate/internal/outbound"
	"github.com/guildgate/guildgate/internal/password"
	"github.com/guildgate/guildgate/internal/store/storetest"
	"github.com/guildgate/guildgate/internal/testenv"
)

// logoutApp is the real app (app.New: every handler and middleware over a
// real store) served over TLS by httptest. testenv runs app.Run, which
// builds its own outbound client; here app.Deps.Outbound trusts the
// httptest certificate, which every relying party's test server shares, and
// reaches them on loopback.
type logoutApp struct {
	t    *testing.T
	URL  string
	cfg  config.Config
	srv  *httptest.Server
	logs *testenv.SyncBuffer
}

const (
	logoutEmail    = "ada@example.org"
	logoutPassword = "correct horse battery"
)

func startLogoutApp(t *testing.T, backend testenv.Backend) *logoutApp {
	t.Helper()
	var handler atomic.Pointer[http.Handler]
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		(*handler.Load()).ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	a := &logoutApp{t: t, URL: srv.URL, srv: srv, cfg: config.Default(), logs: &testenv.SyncBuffer{}}
	a.cfg.DataDir, a.cfg.Issuer = t.TempDir(), srv.URL
	a.cfg.Database = filepath.Join(a.cfg.DataDir, "guildgate.db")
	if backend == testenv.Postgres {
		a.cfg.Database = storetest.PostgresDSN(t)
	}
	ctx := context.Background()
	st, err := app.OpenStore(ctx, a.cfg)
	a.must(err)
	t.Cleanup(func() { st.Close() })
	built, err := app.New(ctx, app.Deps{Store: st, Config: a.cfg, Now: time.Now, Outbound: reachRPs(srv),
		Logger: slog.New(slog.NewJSONHandler(a.logs, nil)), Hasher: password.NewHasher(password.Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})})
	a.must(err)
	handler.Store(&built.Handler)
	a.cli(logoutPassword+"\n", "member", "add", "--email", logoutEmail, "--name", "Ada Lovelace", "--password-stdin")
	return a
}

// reachRPs is the production outbound client trusting httptest's
// certificate, with private addresses allowed: the relying parties are on
// loopback.
func reachRPs(srv *httptest.Server) *outbound.Client {
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return outbound.New(outbound.Options{AllowPrivate: true, RootCAs: pool})
}

func (a *logoutApp) must(err error) {
	a.t.Helper()
	if err != nil {
		a.t.Fatal(err)
	}
}

func (a *logoutApp) cli(stdin string, args ...string) string {
	a.t.Helper()
	out, errOut, code := testenv.RunCLI(a.t, a.cfg.Database, a.cfg.DataDir, stdin, args...)
	if code != 0 {
		a.t.Fatalf("guildgate %s: %s", strings.Join(args, " "), errOut)
	}
	return out
}

type logoutClient struct {
	ID     string `json:"client_id"`
	Secret string `json:"client_secret"`
}

// addClient registers a client with the CLI, as an administrator would.
func (a *logoutApp) addClient(args ...string) logoutClient {
	a.t.Helper()
	out := a.cli("", append([]string{"client", "add", "--name", "RP", "--redirect-uris", "https://rp.example/cb",
		"--post-logout-redirect-uris", "https://rp.example/bye", "--json"}, args...)...)
	var c logoutClient
	a.must(json.Unmarshal([]byte(out), &c))
	return c
}

// ctx carries an HTTP client that trusts the server, for go-oidc and oauth2.
func (a *logoutApp) ctx() context.Context {
	return oidc.ClientContext(context.Background(), a.srv.Client())
}

// browser keeps cookies and leaves redirects for the test to follow.
func (a *logoutApp) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	c := *a.srv.Client()
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

func (a *logoutApp) do(c *http.Client, method, target string, form url.Values) (*http.Response, string) {
	a.t.Helper()
	req, err := http.NewRequest(method, target, strings.NewReader(form.Encode()))
	a.must(err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	a.must(err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// signIn walks the login page's two steps.
func (a *logoutApp) signIn(c *http.Client) {
	a.t.Helper()
	token := func(body string) string {
		m := logoutFormToken.FindStringSubmatch(body)
		if m == nil {
			a.t.Fatalf("no form token in %s", body)
		}
		return m[1]
	}
	_, body := a.do(c, "GET", a.URL+"/login", nil)
	_, body = a.do(c, "POST", a.URL+"/login", url.Values{"csrf_token": {token(body)}, "email": {logoutEmail}})
	resp, _ := a.do(c, "POST", a.URL+"/login", url.Values{"csrf_token": {token(body)}, "email": {logoutEmail}, "password": {logoutPassword}})
	if resp.StatusCode != http.StatusSeeOther {
		a.t.Fatalf("sign-in: %d", resp.StatusCode)
	}
}

// codeFlow runs the code flow in the signed-in browser and returns the
// tokens, the ID token as go-oidc verified it.
func (a *logoutApp) codeFlow(c *http.Client, p *oidc.Provider, rp logoutClient, scopes ...string) (*oauth2.Token, *oidc.IDToken, oauth2.Config) {
	a.t.Helper()
	conf := oauth2.Config{ClientID: rp.ID, ClientSecret: rp.Secret, Endpoint: p.Endpoint(),
		RedirectURL: "https://rp.example/cb", Scopes: append([]string{oidc.ScopeOpenID}, scopes...)}
	verifier := oauth2.GenerateVerifier()
	resp, _ := a.do(c, "GET", conf.AuthCodeURL("st", oidc.Nonce("n"), oauth2.S256ChallengeOption(verifier)), nil)
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		a.t.Fatalf("authorize: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	tok, err := conf.Exchange(a.ctx(), loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	a.must(err)
	raw, _ := tok.Extra("id_token").(string)
	idt, err := p.Verifier(&oidc.Config{ClientID: rp.ID}).Verify(a.ctx(), raw)
	a.must(err)
	return tok, idt, conf
}

// logoutBackchannelRP records the logout tokens POSTed to it; hold, while
// set, keeps each request waiting.
type logoutBackchannelRP struct {
	srv    *httptest.Server
	hold   chan struct{}
	got    chan string
	closed sync.Once
}

func newLogoutBackchannelRP(t *testing.T) *logoutBackchannelRP {
	rp := &logoutBackchannelRP{got: make(chan string, 10)}
	rp.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rp.hold != nil {
			<-rp.hold
		}
		if r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		rp.got <- r.PostFormValue("logout_token")
	}))
	t.Cleanup(rp.srv.Close)
	t.Cleanup(rp.release) // before Close, which waits for held requests
	return rp
}

func (rp *logoutBackchannelRP) release() {
	rp.closed.Do(func() {
		if rp.hold != nil {
			close(rp.hold)
		}
	})
}

// token waits for the next logout token.
func (rp *logoutBackchannelRP) token(t *testing.T) string {
	t.Helper()
	select {
	case tok := <-rp.got:
		return tok
	case <-time.After(10 * time.Second):
		t.Fatal("no logout token arrived")
		return ""
	}
}

// logoutSettle waits for the server's client cache to see CLI changes.
func logoutSettle() { time.Sleep(clients.DefaultCacheTTL) }
