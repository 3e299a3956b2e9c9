package outbound_test

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/outbound"
)

// sink is a server that must receive nothing: it counts connections
// accepted, not only requests served, so a refused request is known never
// to have left the process.
type sink struct {
	srv   *httptest.Server
	conns atomic.Int32
}

// newSink listens on addr ("127.0.0.1:0" when empty) over TLS with
// httptest's certificate, or plain HTTP when plain.
func newSink(t *testing.T, addr string, plain bool, h http.HandlerFunc) *sink {
	t.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if h == nil {
		h = func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, `{"reached":true}`) }
	}
	s := &sink{srv: httptest.NewUnstartedServer(h)}
	s.srv.Listener.Close()
	s.srv.Listener = ln
	s.srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	if plain {
		s.srv.Start()
	} else {
		s.srv.StartTLS()
	}
	t.Cleanup(s.srv.Close)
	return s
}

func (s *sink) port() string {
	return s.srv.Listener.Addr().(*net.TCPAddr).AddrPort().String()[strings.LastIndex(s.srv.Listener.Addr().String(), ":")+1:]
}

func (s *sink) wantNothing(t *testing.T) {
	t.Helper()
	if n := s.conns.Load(); n != 0 {
		t.Fatalf("the sink accepted %d connection(s); want none", n)
	}
}

// fakeResolver answers from a table, as a hostile DNS server or a libc
// that reads 2130706433 as 127.0.0.1 would.
type fakeResolver struct {
	mu      sync.Mutex
	answers map[string][]netip.Addr
	asked   []string
}

func (r *fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.asked = append(r.asked, host)
	if a, ok := r.answers[host]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func resolver(pairs ...string) *fakeResolver {
	r := &fakeResolver{answers: map[string][]netip.Addr{}}
	for i := 0; i < len(pairs); i += 2 {
		for _, a := range strings.Split(pairs[i+1], ",") {
			r.answers[pairs[i]] = append(r.answers[pairs[i]], netip.MustParseAddr(a))
		}
	}
	return r
}

// counter records what the client reports, as the metrics do.
type counter struct {
	mu   sync.Mutex
	seen []string
}

func (c *counter) OutboundRequest(purpose, outcome string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen = append(c.seen, purpose+"/"+outcome)
}

func (c *counter) got() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.seen, " ")
}

// trusting returns a pool holding httptest's certificate (every httptest
// TLS server shares it).
func trusting(s *httptest.Server) *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(s.Certificate())
	return pool
}

func get(c *http.Client, u string) (int, string, error) {
	resp, err := c.Get(u)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func wantRefused(t *testing.T, err error, words string) {
	t.Helper()
	re, ok := errors.AsType[*outbound.RefusedError](err)
	if !ok || !strings.Contains(re.Error(), words) {
		t.Fatalf("error %v; want a refusal saying %q", err, words)
	}
}

// TestNamesCheckedAsResolved: a host name is judged by the address it
// resolves to at dial time, whatever its spelling: decimal and octal forms
// that a resolver reads as 127.0.0.1, a name an organisation's DNS points at
// its internal network, a name with a public and a private answer.
func TestNamesCheckedAsResolved(t *testing.T) {
	s := newSink(t, "", false, nil)
	res := resolver("2130706433", "127.0.0.1", "0177.0.0.1", "127.0.0.1", "0x7f.1", "127.0.0.1",
		"idp.internal.example", "10.20.30.40", "mapped.example", "::ffff:127.0.0.1",
		"metadata.example", "169.254.169.254", "both.example", "10.0.0.1,127.0.0.1")
	c := outbound.New(outbound.Options{Resolver: res, RootCAs: trusting(s.srv)})
	for _, host := range []string{"2130706433", "0177.0.0.1", "0x7f.1", "idp.internal.example", "mapped.example",
		"metadata.example", "both.example", "127.0.0.1", "[::ffff:127.0.0.1]"} {
		_, _, err := get(c.For(outbound.Discovery), "https://"+host+":"+s.port()+"/.well-known/openid-configuration")
		wantRefused(t, err, "address")
	}
	s.wantNothing(t)
	if len(res.asked) != 7 {
		t.Fatalf("resolver asked %q; every name (and no literal) goes through it", res.asked)
	}
}

// TestAllowPrivate: with the operator's flag the same loopback server is
// reached, over https only, and metadata addresses stay refused.
func TestAllowPrivate(t *testing.T) {
	s := newSink(t, "", false, nil)
	res := resolver("idp.local.example", "127.0.0.1", "metadata.example", "169.254.169.254")
	c := outbound.New(outbound.Options{AllowPrivate: true, Resolver: res, RootCAs: trusting(s.srv)})
	if status, body, err := get(c.For(outbound.JWKS), s.srv.URL+"/keys"); err != nil || status != 200 || !strings.Contains(body, "reached") {
		t.Fatalf("loopback with private allowed: %d %q %v", status, body, err)
	}
	_, _, err := get(c.For(outbound.JWKS), "https://metadata.example:"+s.port()+"/latest/meta-data/")
	wantRefused(t, err, "metadata")
	if s.conns.Load() != 1 {
		t.Fatalf("connections: %d", s.conns.Load())
	}
}

// TestHTTPSOnly: a plain-http URL is refused before any connection, even
// to an address the policy would allow.
func TestHTTPSOnly(t *testing.T) {
	s := newSink(t, "", true, nil)
	c := outbound.New(outbound.Options{AllowPrivate: true})
	_, _, err := get(c.For(outbound.Token), s.srv.URL+"/token")
	wantRefused(t, err, "only https")
	s.wantNothing(t)
}

// TestRedirectHopsRechecked: a provider at a public address (a loopback
// server standing in for one) that redirects to a private address, to
// http, or round in circles is refused at that hop, and the private
// server receives nothing.
func TestRedirectHopsRechecked(t *testing.T) {
	private := newSink(t, "127.0.0.2:0", false, nil)
	plain := newSink(t, "127.0.0.1:0", true, nil)
	var target atomic.Pointer[string]
	public := newSink(t, "", false, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ok" {
			io.WriteString(w, `{}`)
			return
		}
		http.Redirect(w, r, *target.Load(), http.StatusFound)
	})
	res := resolver("internal.example", "127.0.0.2", "intranet.example", "10.1.1.1")
	obs := &counter{}
	c := outbound.New(outbound.Options{Resolver: res, RootCAs: trusting(public.srv), Observer: obs})
	outbound.TreatAsPublic(c, netip.MustParsePrefix("127.0.0.1/32"))

	for _, tc := range []struct{ to, words string }{
		{"https://internal.example:" + private.port() + "/admin", "internal.example (127.0.0.2): a loopback address"},
		{"https://intranet.example/", "intranet.example (10.1.1.1): a private address"},
		{"https://127.0.0.2:" + private.port() + "/admin", "loopback address"},
		{plain.srv.URL + "/", "only https"},
		{public.srv.URL + "/again", "more than 3 redirects"},
	} {
		target.Store(&tc.to)
		_, _, err := get(c.For(outbound.Discovery), public.srv.URL+"/.well-known/openid-configuration")
		wantRefused(t, err, tc.words)
	}
	private.wantNothing(t)
	plain.wantNothing(t)

	to := public.srv.URL + "/ok"
	target.Store(&to)
	if status, _, err := get(c.For(outbound.Discovery), public.srv.URL+"/moved"); err != nil || status != 200 {
		t.Fatalf("one public hop: %d %v", status, err)
	}
	for _, p := range []outbound.Purpose{outbound.Token, outbound.JWKS, outbound.Userinfo, outbound.BackchannelLogout} {
		if status, _, err := get(c.For(p), public.srv.URL+"/moved"); err != nil || status != http.StatusFound {
			t.Fatalf("%s followed a redirect: %d %v", p, status, err)
		}
	}
	if want := "discovery/redirect discovery/refused"; !strings.Contains(obs.got(), want) {
		t.Fatalf("observed %q; want it to hold %q", obs.got(), want)
	}
}

// TestBodyBound: an answer one byte over its purpose's bound is an error,
// with or without a Content-Length, never a silent truncation; one at the
// bound is read whole.
func TestBodyBound(t *testing.T) {
	limit := outbound.MaxBody(outbound.Discovery)
	s := newSink(t, "", false, func(w http.ResponseWriter, r *http.Request) {
		n := limit
		if strings.HasSuffix(r.URL.Path, "/over") {
			n++
		}
		if strings.HasPrefix(r.URL.Path, "/chunked") {
			w.(http.Flusher).Flush() // headers out before the body: no Content-Length
		} else {
			w.Header().Set("Content-Length", fmt.Sprint(n))
		}
		io.WriteString(w, strings.Repeat("x", int(n)))
	})
	obs := &counter{}
	c := outbound.New(outbound.Options{AllowPrivate: true, RootCAs: trusting(s.srv), Observer: obs})
	for _, path := range []string{"/sized", "/chunked"} {
		if _, body, err := get(c.For(outbound.Discovery), s.srv.URL+path+"/at"); err != nil || int64(len(body)) != limit {
			t.Fatalf("%s at the bound: %d bytes, %v", path, len(body), err)
		}
		_, body, err := get(c.For(outbound.Discovery), s.srv.URL+path+"/over")
		if _, ok := errors.AsType[*outbound.TooLargeError](err); !ok || int64(len(body)) > limit {
			t.Fatalf("%s over the bound: %d bytes, %v", path, len(body), err)
		}
	}
	if got, want := obs.got(), "discovery/ok discovery/too_large discovery/ok discovery/too_large"; got != want {
		t.Fatalf("observed %q; want %q", got, want)
	}
}

// TestTimeout: a provider that accepts the request and never answers is
// given up on after the purpose's timeout, and counted as a timeout.
func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	s := newSink(t, "", false, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	obs := &counter{}
	c := outbound.New(outbound.Options{AllowPrivate: true, RootCAs: trusting(s.srv), Observer: obs})
	outbound.SetTimeout(c, outbound.Userinfo, 50*time.Millisecond)
	_, _, err := get(c.For(outbound.Userinfo), s.srv.URL+"/userinfo")
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("error %v; want a timeout", err)
	}
	if got := obs.got(); got != "userinfo/timeout" {
		t.Fatalf("observed %q", got)
	}
}
