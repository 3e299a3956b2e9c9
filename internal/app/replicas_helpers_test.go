package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/guildgate/guildgate/internal/cli"
	"github.com/guildgate/guildgate/internal/config"
	"github.com/guildgate/guildgate/internal/store/storetest"
	"github.com/guildgate/guildgate/internal/testenv"
)

// cluster is three real servers (app.Run, each on its own port with its own
// data directory and certificate) sharing one PostgreSQL schema and one
// master key, as replicas behind a load balancer do. Every URL is built
// from the one issuer; which replica serves a request is chosen by the
// client used, since a testenv client dials its own server whatever the
// URL says.
type cluster struct {
	dsn, issuer, masterKey string
	nodes                  []*testenv.Server
	// browsers[i] is the member's browser talking to replica i; all share
	// one cookie jar, as one browser behind a load balancer would (cookies
	// are per host, not per port: RFC 6265 §8.5).
	browsers []*http.Client
	// rps[i] is a relying party's back channel to replica i.
	rps []*http.Client
}

const (
	replicaEmail    = "ada@example.org"
	replicaPassword = "correct horse battery"
	replicaRedirect = "https://rp.example/cb"
)

func startCluster(t *testing.T) *cluster {
	t.Helper()
	c := &cluster{dsn: storetest.PostgresDSN(t), masterKey: newMasterKey(t)}
	edit := func(cfg *config.Config) {
		if c.issuer == "" { // the first replica's address names the site
			_, port, _ := net.SplitHostPort(cfg.Addr)
			c.issuer = "https://localhost:" + port
		}
		cfg.Database, cfg.MasterKey, cfg.Issuer = c.dsn, c.masterKey, c.issuer
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		s := testenv.Start(t, testenv.Postgres, edit)
		browser := s.Client(t)
		browser.Jar = jar
		c.nodes, c.browsers, c.rps = append(c.nodes, s), append(c.browsers, browser), append(c.rps, s.Client(t))
	}
	return c
}

// newMasterKey is a GUILDGATE_MASTER_KEY value: base64 of 32 random bytes.
func newMasterKey(t *testing.T) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// cli runs a guildgate command against the shared database with the
// cluster's master key, as an operator's shell on any replica would.
func (c *cluster) cli(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	env := map[string]string{"GUILDGATE_DATABASE": c.dsn, "GUILDGATE_DATA_DIR": t.TempDir(),
		"GUILDGATE_MASTER_KEY": c.masterKey, "GUILDGATE_ISSUER": c.issuer}
	var out, errOut bytes.Buffer
	code := cli.Main(context.Background(), args, strings.NewReader(stdin), &out, &errOut,
		func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if code != 0 {
		t.Fatalf("guildgate %s: exit %d: %s", strings.Join(args, " "), code, errOut.String())
	}
	return out.String()
}

type clientCreds struct {
	ID     string `json:"client_id"`
	Secret string `json:"client_secret"`
}

func (c *cluster) addClient(t *testing.T, args ...string) clientCreds {
	t.Helper()
	base := []string{"client", "add", "--name", "RP", "--redirect-uris", replicaRedirect, "--json"}
	var cc clientCreds
	if err := json.Unmarshal([]byte(c.cli(t, "", append(base, args...)...)), &cc); err != nil {
		t.Fatal(err)
	}
	return cc
}

func (c *cluster) oauth(cc clientCreds) *oauth2.Config {
	return &oauth2.Config{ClientID: cc.ID, ClientSecret: cc.Secret, RedirectURL: replicaRedirect,
		Scopes: []string{"openid", "email", "offline_access"},
		Endpoint: oauth2.Endpoint{AuthURL: c.issuer + "/oauth/authorize", TokenURL: c.issuer + "/oauth/token",
			AuthStyle: oauth2.AuthStyleInHeader}}
}

// on is a context whose oauth2 and go-oidc calls go to replica i.
func (c *cluster) on(i int) context.Context {
	return context.WithValue(context.Background(), oauth2.HTTPClient, c.rps[i])
}

// authorize sends the browser to the authorization endpoint on replica i
// and returns the redirect's query.
func (c *cluster) authorize(t *testing.T, i int, authURL string) url.Values {
	t.Helper()
	resp, err := c.browsers[i].Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, replicaRedirect+"?") {
		t.Fatalf("authorize on replica %d: status %d, Location %q", i, resp.StatusCode, loc)
	}
	u, _ := url.Parse(loc)
	return u.Query()
}

// code runs the authorization request with PKCE on replica i and returns
// the code and its verifier.
func (c *cluster) code(t *testing.T, i int, conf *oauth2.Config) (code, verifier string) {
	t.Helper()
	verifier = oauth2.GenerateVerifier()
	q := c.authorize(t, i, conf.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)))
	if q.Get("code") == "" || q.Get("state") != "st" {
		t.Fatalf("authorize on replica %d: %v", i, q)
	}
	return q.Get("code"), verifier
}

// tokenStatus posts a token request to replica i with client_secret_basic
// and returns the status and the OAuth error code, if any.
func (c *cluster) tokenStatus(t *testing.T, i int, cc clientCreds, form url.Values) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.issuer+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(cc.ID), url.QueryEscape(cc.Secret))
	resp, err := c.rps[i].Do(req)
	if err != nil {
		t.Error(err)
		return 0, ""
	}
	defer resp.Body.Close()
	var body struct {
		Error string `json:"error"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body.Error
}

// kidOf reads the key id from a JWS header without verifying anything.
func kidOf(t *testing.T, jws string) string {
	t.Helper()
	head, _, _ := strings.Cut(jws, ".")
	raw, err := base64.RawURLEncoding.DecodeString(head)
	var h struct {
		Kid string `json:"kid"`
	}
	if err != nil || json.Unmarshal(raw, &h) != nil {
		t.Fatalf("not a JWS: %q", jws)
	}
	return h.Kid
}

// holderNode returns which replica logged taking the lease as holder, or -1.
func (c *cluster) holderNode(holder string) int {
	for i, s := range c.nodes {
		if holder != "" && strings.Contains(s.Logs.String(), `"holder":"`+holder+`"`) {
			return i
		}
	}
	return -1
}
