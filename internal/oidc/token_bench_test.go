package oidc_test

import (
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oidc"
)

// The benchmarks drive the real handler tree (app.New, every middleware)
// over TLS with keep-alive connections, from several goroutines, on a
// temporary SQLite store. The client runs in the same process and shares the
// CPU, so req/s/core (req/s divided by GOMAXPROCS) understates what a
// server with the machine to itself does. They work with -benchtime 1x.

// benchRequests runs b.N requests made by next across parallel goroutines
// and reports the throughput. next gets the request's index in [0, b.N).
func benchRequests(b *testing.B, h *harness, next func(i int) *http.Request) {
	b.Helper()
	var counter atomic.Int64
	// One client goroutine per core: more only adds SQLite writers waiting
	// on each other (the busy handler sleeps), which measures contention
	// rather than the handlers.
	b.SetParallelism(1)
	b.ReportAllocs()
	cpu0, pg0 := processCPU(b), postgresCPU(b)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(counter.Add(1) - 1)
			resp, err := h.HTTP.Do(next(i))
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("request %d: status %d", i, resp.StatusCode)
				return
			}
		}
	})
	b.StopTimer()
	// CPU time per request (client and server: one process) is steadier
	// than req/s on a machine shared with other work.
	b.ReportMetric(float64((processCPU(b)-cpu0).Microseconds())/float64(b.N), "cpu-µs/req")
	if pg := postgresCPU(b) - pg0; benchBackends != "" {
		b.ReportMetric(float64(pg.Microseconds())/float64(b.N), "pg-cpu-µs/req")
	}
	perSecond := float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(perSecond, "req/s")
	b.ReportMetric(perSecond/float64(runtime.GOMAXPROCS(0)), "req/s/core")
}

// processCPU is the CPU time (user and system) this process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func formRequest(h *harness, path string, c testClient, form url.Values) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, h.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(c.ID, c.Secret)
	return req
}

func BenchmarkClientCredentials(b *testing.B) {
	h := newBenchHarness(b)
	c := h.addClient(clients.Input{GrantTypes: []string{model.GrantClientCredentials}})
	body := url.Values{"grant_type": {"client_credentials"}, "scope": {"groups"}}
	benchRequests(b, h, func(int) *http.Request { return formRequest(h, oidc.PathToken, c, body) })
}

// BenchmarkCodeExchange redeems codes created directly in the store, so only
// the exchange is measured, for ID tokens of each asymmetric algorithm.
func BenchmarkCodeExchange(b *testing.B) {
	for _, alg := range []string{model.AlgES256, model.AlgEdDSA, model.AlgRS256} {
		b.Run(alg, func(b *testing.B) {
			h := newBenchHarness(b)
			c, m := h.addClient(clients.Input{IDTokenAlg: alg}), h.addMember("ada@example.org")
			codes := make([]string, b.N)
			for i := range codes {
				codes[i], _ = h.newCode(c, m, codeSpec{Nonce: "n"})
			}
			benchRequests(b, h, func(i int) *http.Request {
				form := url.Values{"grant_type": {"authorization_code"}, "code": {codes[i]}, "redirect_uri": {c.Redirect}}
				return formRequest(h, oidc.PathToken, c, form)
			})
		})
	}
}

// BenchmarkRefresh rotates refresh tokens stored in advance, one per
// request, all of one family (a grant with offline_access), for ID tokens
// of each asymmetric algorithm: the used token, the new one, the grant and
// member re-checks and the audit row are the store's part.
func BenchmarkRefresh(b *testing.B) {
	for _, alg := range []string{model.AlgES256, model.AlgEdDSA, model.AlgRS256} {
		b.Run(alg, func(b *testing.B) {
			h := newBenchHarness(b)
			c, m := h.addClient(clients.Input{IDTokenAlg: alg}), h.addMember("ada@example.org")
			_, g := h.newCode(c, m, codeSpec{Scopes: []string{"openid", "profile", "email", "offline_access"}})
			tokens := make([]string, b.N)
			for i := range tokens {
				tokens[i] = h.newRefresh(g)
			}
			benchRequests(b, h, func(i int) *http.Request {
				form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tokens[i]}}
				return formRequest(h, oidc.PathToken, c, form)
			})
		})
	}
}

func BenchmarkUserinfo(b *testing.B) {
	h := newBenchHarness(b)
	c, m := h.addClient(clients.Input{}), h.addMember("ada@example.org")
	code, _ := h.newCode(c, m, codeSpec{Scopes: []string{"openid", "profile", "email", "groups"}})
	at := wantOK(b, h.exchange(c, code, nil)).str("access_token")
	benchRequests(b, h, func(int) *http.Request {
		req, _ := http.NewRequest(http.MethodGet, h.URL+oidc.PathUserinfo, nil)
		req.Header.Set("Authorization", "Bearer "+at)
		return req
	})
}

// BenchmarkUserinfoDPoP is BenchmarkUserinfo with a DPoP-bound token: each
// request carries a fresh proof (made before the timer starts), which the
// server verifies (ES256), matches to the request and token, and whose jti
// it remembers, one store write per request.
func BenchmarkUserinfoDPoP(b *testing.B) {
	h := newHarness(b)
	e := &modernEnv{harness: h}
	c, m := h.addClient(clients.Input{}), h.addMember("ada@example.org")
	code, _ := h.newCode(c, m, codeSpec{Scopes: []string{"openid", "profile", "email", "groups"}})
	k := newDPoPKey(b)
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {c.Redirect}}
	proof := e.proof(k, "POST", oidc.PathToken, proofSpec{nonce: e.nonce(k, &c, form)})
	r := e.postForm(oidc.PathToken, &c, form, http.Header{"Dpop": {proof}})
	at, _ := r.json(b)["access_token"].(string)
	if r.status != http.StatusOK || r.json(b)["token_type"] != "DPoP" {
		b.Fatalf("DPoP exchange: %d %s", r.status, r.body)
	}
	proofs := make([]string, b.N)
	for i := range proofs {
		proofs[i] = e.proof(k, "GET", oidc.PathUserinfo, proofSpec{token: at})
	}
	benchRequests(b, h, func(i int) *http.Request {
		req, _ := http.NewRequest(http.MethodGet, h.URL+oidc.PathUserinfo, nil)
		req.Header.Set("Authorization", "DPoP "+at)
		req.Header.Set("DPoP", proofs[i])
		return req
	})
}

func BenchmarkJWKS(b *testing.B) {
	h := newHarness(b)
	benchRequests(b, h, func(int) *http.Request {
		req, _ := http.NewRequest(http.MethodGet, h.URL+oidc.PathJWKS, nil)
		return req
	})
}

func BenchmarkDiscovery(b *testing.B) {
	h := newHarness(b)
	benchRequests(b, h, func(int) *http.Request {
		req, _ := http.NewRequest(http.MethodGet, h.URL+oidc.PathDiscovery, nil)
		return req
	})
}
