// Package bench is the load benchmark behind the guildgate-bench command
// (kept out of the server binary, which ships no load generator): it drives a
// running OpenID Provider (Guildgate, or any other, such as the npm
// oidc-provider for a side-by-side comparison) over HTTPS with keep-alive and
// reports, per workload, requests, req/s, p50/p99/max latency, errors and,
// when the server's pid is known, its CPU seconds per 1,000 requests and so
// its rate per core.
//
// Everything it needs it discovers: endpoints from the discovery document,
// and a member session by walking the provider's sign-in (Guildgate's login
// form, or any interaction that redirects back without a form). Every loop
// is bounded in both time and count.
package bench

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// Workload names, in the order they run by default.
const (
	Discovery         = "discovery"
	JWKS              = "jwks"
	ClientCredentials = "client_credentials"
	Userinfo          = "userinfo"
	Refresh           = "refresh"
	CodeFlow          = "code_flow"
	CodeExchange      = "code_exchange"
	Login             = "login"

	// The same two token paths for a second client whose ID tokens are
	// signed ES256 (Config.ES256ClientID): what they cost without RSA.
	RefreshES256      = "refresh_es256"
	CodeExchangeES256 = "code_exchange_es256"
)

// All is every workload, in run order.
var All = []string{Discovery, JWKS, ClientCredentials, Userinfo, Refresh, RefreshES256, CodeFlow, CodeExchange, CodeExchangeES256, Login}

// needsSession names the workloads that need a member's sign-in first.
var needsSession = map[string]bool{Userinfo: true, Refresh: true, CodeFlow: true, CodeExchange: true,
	RefreshES256: true, CodeExchangeES256: true}

// needsES256Client names the workloads of the ES256 client.
var needsES256Client = map[string]bool{RefreshES256: true, CodeExchangeES256: true}

// Limits that keep every loop bounded whatever the flags say.
const (
	MaxDuration    = 10 * time.Minute
	MaxConcurrency = 1024
	maxOpsPerRun   = 20_000_000 // per workload, across workers
	maxRedirects   = 20         // per sign-in or authorization
)

// Config is one benchmark run.
type Config struct {
	Target         string // issuer URL, https://host:port
	ClientID       string
	ClientSecret   string
	ES256ClientID  string // a second confidential client, like the first but with ES256 ID tokens; "" skips its workloads
	ES256Secret    string
	RedirectURI    string // registered for the client; never fetched (default https://rp.example/cb)
	MemberEmail    string // for the session workloads on a login form (sent as login_hint too); a comma-separated list for login
	MemberPassword string
	Duration       time.Duration // per workload
	Concurrency    int
	Workloads      []string       // default All
	RootCAs        *x509.CertPool // nil: the system pool
	ServerPID      int            // > 0: measure the server's CPU from /proc
	ExtraPIDs      []int          // more processes whose CPU counts as the server's (its database)
	CountBackends  bool           // count the PostgreSQL backends serving the server's connections too, found during each run
	Scope          string         // default "openid profile email offline_access"
	// Samples, when set, is handed every workload's requests: when each
	// started (from the workload's start), how long it took, which worker
	// ran it. A tail's shape (periodic stalls, a bimodal histogram) shows
	// there and not in three percentiles.
	Samples func(workload string, s []Sample)
	// Steal, when set, reads the cumulative steal time of the CPU the server
	// runs on (stealClock), read around each measured loop.
	Steal func() (time.Duration, bool)
}

// Sample is one request of a workload, for Config.Samples.
type Sample struct {
	Start      time.Duration `json:"start_ns"`
	Latency    time.Duration `json:"latency_ns"`
	Worker     int           `json:"worker"`
	CPULatency time.Duration `json:"server_cpu_latency_ns,omitempty"` // see Result.CPUP50; 0 when not measured
}

// Result is one workload's figures.
type Result struct {
	Workload  string        `json:"workload"`
	Requests  int64         `json:"requests"` // completed operations (a code flow is one: authorize + token)
	Errors    int64         `json:"errors"`
	Seconds   float64       `json:"seconds"`
	PerSecond float64       `json:"req_per_s"`
	P50       time.Duration `json:"p50_ns"`
	P90       time.Duration `json:"p90_ns"`
	P99       time.Duration `json:"p99_ns"`
	P999      time.Duration `json:"p999_ns"`
	Max       time.Duration `json:"max_ns"`
	// The same percentiles of each request's server CPU latency, when the
	// server's pid is known (Linux): the CPU time the server process used,
	// all its threads, while the request was outstanding. On a core of its
	// own, busy throughout, that is the wall latency; on a shared machine it
	// leaves out the time the server was waiting for a CPU, so a tail the
	// server makes itself (its scheduling, its stalls) can be told from one
	// the machine's other load makes.
	CPUP50     time.Duration `json:"server_cpu_p50_ns,omitempty"`
	CPUP99     time.Duration `json:"server_cpu_p99_ns,omitempty"`
	CPUMax     time.Duration `json:"server_cpu_max_ns,omitempty"`
	CPUPer1000 float64       `json:"server_cpu_s_per_1000,omitempty"` // 0 when not measured
	Processes  int           `json:"counted_processes,omitempty"`     // processes whose CPU is in CPUPer1000
	Exited     int           `json:"exited_processes,omitempty"`      // of which exited during the run (counted to their last sample)
	Appeared   int           `json:"appeared_processes,omitempty"`    // of which started during the run (counted from their start)
	CPUError   string        `json:"cpu_error,omitempty"`             // why CPUPer1000 is 0 although a pid was given
	FirstError string        `json:"first_error,omitempty"`
	// StealPercent is the steal time of the CPU the server runs on
	// (Config.Steal) over the measured loop, in percent of its wall time:
	// while the hypervisor ran something else there, the server waited, and
	// a run with much of it is a noisy one. Nil when not read.
	StealPercent *float64 `json:"server_cpu_steal_pct,omitempty"`
	// Rounds and PerCoreByRound are set on a result pooled over rounds
	// (guildgate-bench --rounds): how many, and each one's rate per core
	// (0 where not measured), so the spread behind the pooled figure shows.
	Rounds         int       `json:"rounds,omitempty"`
	PerCoreByRound []float64 `json:"per_core_by_round,omitempty"`

	raw rawRun
}

// metadata is what the benchmark reads from discovery.
type metadata struct {
	Issuer    string `json:"issuer"`
	Authorize string `json:"authorization_endpoint"`
	Token     string `json:"token_endpoint"`
	Userinfo  string `json:"userinfo_endpoint"`
	JWKS      string `json:"jwks_uri"`
}

// rehost points the endpoints at target when the issuer names another host
// (replicas behind one issuer, each driven directly, as a load balancer
// would route): only the scheme and host:port change.
func (m *metadata) rehost(target string) {
	t, err1 := url.Parse(target)
	iss, err2 := url.Parse(m.Issuer)
	if err1 != nil || err2 != nil || t.Host == iss.Host {
		return
	}
	for _, p := range []*string{&m.Authorize, &m.Token, &m.Userinfo, &m.JWKS} {
		if u, err := url.Parse(*p); err == nil && u.Host == iss.Host {
			u.Scheme, u.Host = t.Scheme, t.Host
			*p = u.String()
		}
	}
}

// client is a confidential client the workloads authenticate as.
type client struct{ id, secret string }

type runner struct {
	cfg     Config
	http    *http.Client // keep-alive, no redirects, no cookies
	browser *http.Client // same transport, with the member's cookies
	md      metadata
	rs256   client              // Config.ClientID: RS256 ID tokens (the default)
	es256   client              // Config.ES256ClientID
	access  string              // a member's access token, for userinfo
	refresh map[client][]string // per client, one token family per worker
	emails  []string            // MemberEmail split; the session workloads use the first

	codes    []prefetched // code_exchange: filled before the measured loop
	nextCode atomic.Int64
	useForm  bool              // login: the provider serves a /login form (else: its authorize interaction)
	logins   []*http.Transport // login: one per worker, each from its own loopback address
}

func (c *Config) normalize() error {
	u, err := url.Parse(c.Target)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("target %q is not an https:// URL", c.Target)
	}
	if c.ClientID == "" || c.ClientSecret == "" {
		return errors.New("a client id and secret are required")
	}
	if c.Duration <= 0 {
		c.Duration = 10 * time.Second
	}
	c.Duration = min(c.Duration, MaxDuration)
	if c.Concurrency <= 0 {
		c.Concurrency = 2 * 2 // two per core of the machine kind; callers pass their own
	}
	c.Concurrency = min(c.Concurrency, MaxConcurrency)
	if len(c.Workloads) == 0 {
		// Every workload; those of the ES256 client only when there is one.
		for _, w := range All {
			if c.ES256ClientID != "" || !needsES256Client[w] {
				c.Workloads = append(c.Workloads, w)
			}
		}
	}
	for _, w := range c.Workloads {
		if !slices.Contains(All, w) {
			return fmt.Errorf("unknown workload %q (known: %s)", w, strings.Join(All, ", "))
		}
		if needsES256Client[w] && (c.ES256ClientID == "" || c.ES256Secret == "") {
			return fmt.Errorf("workload %s needs a second client with ES256 ID tokens (its id and secret)", w)
		}
	}
	if len(c.MemberEmail) > 64*1024 {
		return errors.New("member email list too long")
	}
	if c.RedirectURI == "" {
		c.RedirectURI = "https://rp.example/cb"
	}
	if c.Scope == "" {
		c.Scope = "openid profile email offline_access"
	}
	return nil
}

// dialLoopbackName dials "localhost" as 127.0.0.1, so a certificate issued
// to localhost is verified while the traffic never leaves IPv4 loopback.
func dialLoopbackName(ctx context.Context, network, addr string) (net.Conn, error) {
	return dialFrom(ctx, addr, nil)
}

// dialFrom dials addr ("localhost" as 127.0.0.1) over IPv4, from source
// when the destination is a loopback address and source is not nil.
func dialFrom(ctx context.Context, addr string, source net.IP) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err == nil && host == "localhost" {
		host = "127.0.0.1"
		addr = net.JoinHostPort(host, port)
	}
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	if ip := net.ParseIP(host); source != nil && ip != nil && ip.IsLoopback() && ip.To4() != nil {
		d.LocalAddr = &net.TCPAddr{IP: source}
	}
	return d.DialContext(ctx, "tcp4", addr)
}

// workerAddress is worker w's own loopback source address: 127.0.0.2,
// 127.0.0.3, … (Linux routes all of 127/8 to the loopback interface), so
// that each login worker is a client address of its own, as members are,
// and the server's per-address sign-in throttle sees one client per address
// rather than every worker behind 127.0.0.1.
func workerAddress(w int) net.IP {
	n := uint32(w) + 2
	return net.IPv4(127, byte(n>>16), byte(n>>8), byte(n))
}

// ---- requests ----

func (r *runner) get(target string) op {
	return func(ctx context.Context, _ int) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
		if err != nil {
			return err
		}
		_, err = r.do(r.http, req, http.StatusOK)
		return err
	}
}

// do sends req and reads the whole body (so the connection is reused),
// failing unless the status is want.
func (r *runner) do(c *http.Client, req *http.Request, want int) (*http.Response, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != want {
		return nil, fmt.Errorf("%s %s: status %d: %.200s", req.Method, req.URL.Path, resp.StatusCode, body)
	}
	resp.Body = io.NopCloser(strings.NewReader(string(body)))
	return resp, nil
}

func (r *runner) getJSON(ctx context.Context, target string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	resp, err := r.do(r.http, req, http.StatusOK)
	if err != nil {
		return err
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
}

// token POSTs form to the token endpoint as cl, with client_secret_basic.
func (r *runner) token(ctx context.Context, cl client, form url.Values) (tokenResponse, error) {
	var tr tokenResponse
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.md.Token, strings.NewReader(form.Encode()))
	if err != nil {
		return tr, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(cl.id), url.QueryEscape(cl.secret))
	resp, err := r.do(r.http, req, http.StatusOK)
	if err != nil {
		return tr, err
	}
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil {
		return tr, fmt.Errorf("token response: %w", err)
	}
	if tr.AccessToken == "" {
		return tr, errors.New("token response without access_token")
	}
	return tr, nil
}

func (r *runner) clientCredentials(ctx context.Context, _ int) error {
	tr, err := r.token(ctx, r.rs256, url.Values{"grant_type": {"client_credentials"}})
	if err != nil {
		return err
	}
	return signedES256(tr.AccessToken)
}

// signedES256 checks that an access token is a JWS signed ES256 (its
// header's alg; the signature is the server's business): issue 11 compares
// client_credentials with ES256 access tokens on both sides, and a server
// answering with opaque tokens would be doing less work a request.
func signedES256(token string) error {
	if alg := jwtAlg(token); alg != "ES256" {
		return fmt.Errorf("client_credentials: the access token is not a JWS signed ES256 (its alg: %q)", alg)
	}
	return nil
}

func (r *runner) userinfo(ctx context.Context, _ int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.md.Userinfo, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+r.access)
	_, err = r.do(r.http, req, http.StatusOK)
	return err
}

// refresher redeems worker w's refresh token of cl and keeps the rotated
// one. Each worker owns one token family, so rotation never races.
func (r *runner) refresher(cl client) op {
	tokens := r.refresh[cl]
	return func(ctx context.Context, w int) error {
		tr, err := r.token(ctx, cl, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tokens[w]}})
		if err != nil {
			return err
		}
		if tr.RefreshToken == "" {
			return errors.New("refresh response without a rotated refresh_token")
		}
		tokens[w] = tr.RefreshToken
		return nil
	}
}
