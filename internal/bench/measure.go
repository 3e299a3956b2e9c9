package bench

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"strings"
	"sync"
	"time"
)

// A prepared provider (Session) and one measured run of a workload.

// Run runs the workloads one after another and returns their figures.
func Run(ctx context.Context, cfg Config) ([]Result, error) {
	s, err := Prepare(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	var out []Result
	for _, w := range s.Workloads() {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		out = append(out, s.Measure(ctx, w))
	}
	return out, nil
}

// Session is one provider ready to be measured: its discovery document
// read and, when a workload needs one, the member signed in, so that the
// same workload can be measured again and again (in rounds, alternating
// with a peer) without signing in anew. Close it when done.
type Session struct {
	r  *runner
	tr *http.Transport
}

// Prepare reads the provider's discovery document and makes the member
// session the workloads of cfg need.
func Prepare(ctx context.Context, cfg Config) (*Session, error) {
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	tr := &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12},
		MaxIdleConnsPerHost: cfg.Concurrency,
		MaxIdleConns:        2 * cfg.Concurrency,
		IdleConnTimeout:     90 * time.Second,
		ForceAttemptHTTP2:   false,
		DialContext:         dialLoopbackName,
	}
	noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	jar, _ := cookiejar.New(nil)
	r := &runner{cfg: cfg, emails: splitList(cfg.MemberEmail), refresh: map[client][]string{},
		rs256: client{cfg.ClientID, cfg.ClientSecret}, es256: client{cfg.ES256ClientID, cfg.ES256Secret},
		http:    &http.Client{Transport: tr, Timeout: 30 * time.Second, CheckRedirect: noRedirect},
		browser: &http.Client{Transport: tr, Timeout: 30 * time.Second, CheckRedirect: noRedirect, Jar: jar},
	}
	if err := r.getJSON(ctx, strings.TrimSuffix(cfg.Target, "/")+"/.well-known/openid-configuration", &r.md); err != nil {
		tr.CloseIdleConnections()
		return nil, fmt.Errorf("discovery: %w", err)
	}
	r.md.rehost(cfg.Target)
	if slices.ContainsFunc(cfg.Workloads, func(w string) bool { return needsSession[w] }) {
		if err := r.prepareSession(ctx); err != nil {
			tr.CloseIdleConnections()
			return nil, err
		}
	}
	return &Session{r: r, tr: tr}, nil
}

// Workloads are the session's workloads, in run order.
func (s *Session) Workloads() []string { return s.r.cfg.Workloads }

// Measure runs one workload once; failures are in the result.
func (s *Session) Measure(ctx context.Context, workload string) Result { return s.r.run(ctx, workload) }

// Close closes the session's idle connections.
func (s *Session) Close() { s.tr.CloseIdleConnections() }

// op is one operation of a workload, run by worker w.
type op func(ctx context.Context, w int) error

func (r *runner) run(ctx context.Context, name string) Result {
	res := Result{Workload: name}
	var f op
	switch name {
	case Discovery:
		f = r.get(strings.TrimSuffix(r.cfg.Target, "/") + "/.well-known/openid-configuration")
	case JWKS:
		f = r.get(r.md.JWKS)
	case ClientCredentials:
		f = r.clientCredentials
	case Userinfo:
		f = r.userinfo
	case Refresh:
		f = r.refresher(r.rs256)
	case RefreshES256:
		f = r.refresher(r.es256)
	case CodeFlow:
		f = func(ctx context.Context, _ int) error { _, err := r.codeFlow(ctx, r.rs256); return err }
	case CodeExchange, CodeExchangeES256:
		cl := r.rs256
		if name == CodeExchangeES256 {
			cl = r.es256
		}
		if err := r.prefetchCodes(ctx, cl); err != nil {
			res.Errors, res.FirstError = 1, err.Error()
			return res
		}
		f = r.exchanger(cl)
	case Login:
		if err := r.prepareLogin(ctx); err != nil {
			res.Errors, res.FirstError = 1, err.Error()
			return res
		}
		defer r.closeLogins()
		f = r.loginOnce
	}
	// One call first, outside the measurement: a workload the server does not
	// support shows as such rather than as millions of errors.
	if err := f(ctx, 0); err != nil {
		res.Errors, res.FirstError = 1, err.Error()
		return res
	}
	var meter *cpuMeter
	if r.cfg.ServerPID > 0 {
		meter = startMeter(r.cfg.ServerPID, r.cfg.ExtraPIDs, r.cfg.CountBackends)
	}
	// No new operation starts after the deadline, but one under way
	// finishes and counts, and every worker makes at least one: cutting
	// them off would make a slow workload (a sign-in on a loaded machine,
	// or a worker scheduled only after the deadline) report no requests at
	// all, a failure decided by timing. Elapsed time includes that overrun.
	deadline := time.Now().Add(r.cfg.Duration)
	var (
		mu       sync.Mutex
		lat      []time.Duration
		cpuLat   []time.Duration
		samples  []Sample
		requests int64
		errs     int64
		first    string
		wg       sync.WaitGroup
	)
	perWorker := maxOpsPerRun / r.cfg.Concurrency
	var serverCPU func() (time.Duration, bool)
	if r.cfg.ServerPID > 0 {
		serverCPU = processCPU(r.cfg.ServerPID)
	}
	var steal0 time.Duration
	stealOK := false
	if r.cfg.Steal != nil {
		steal0, stealOK = r.cfg.Steal()
	}
	start := time.Now()
	for w := range r.cfg.Concurrency {
		wg.Go(func() {
			local := make([]time.Duration, 0, 4096)
			var localCPU []time.Duration
			var kept []Sample
			var n, e int64
			var firstErr string
			for i := 0; i < perWorker && (i == 0 || time.Now().Before(deadline)); i++ {
				var c0, c1 time.Duration
				cpuOK := false
				if serverCPU != nil {
					c0, cpuOK = serverCPU()
				}
				t0 := time.Now()
				err := f(ctx, w)
				d := time.Since(t0)
				if cpuOK {
					c1, cpuOK = serverCPU()
				}
				if ctx.Err() != nil || errors.Is(err, errExhausted) {
					break // cut off by the caller (or the end of the prefetched input): neither success nor failure
				}
				if err != nil {
					e++
					if firstErr == "" {
						firstErr = err.Error()
					}
					continue
				}
				n++
				local = append(local, d)
				var cd time.Duration
				if cpuOK {
					cd = c1 - c0
					localCPU = append(localCPU, cd)
				}
				if r.cfg.Samples != nil {
					kept = append(kept, Sample{Start: t0.Sub(start), Latency: d, Worker: w, CPULatency: cd})
				}
			}
			mu.Lock()
			defer mu.Unlock()
			lat = append(lat, local...)
			cpuLat = append(cpuLat, localCPU...)
			samples = append(samples, kept...)
			requests += n
			errs += e
			if first == "" {
				first = firstErr
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if stealOK {
		var steal1 time.Duration
		if steal1, stealOK = r.cfg.Steal(); stealOK && steal1 >= steal0 {
			res.raw.steal, res.raw.stealOK = steal1-steal0, true
			pct := 100 * (steal1 - steal0).Seconds() / elapsed.Seconds()
			res.StealPercent = &pct
		}
	}
	slices.Sort(lat)
	res.raw.lat = lat
	res.Requests, res.Errors, res.FirstError = requests, errs, first
	res.Seconds = elapsed.Seconds()
	res.PerSecond = float64(requests) / elapsed.Seconds()
	res.P50, res.P90, res.P99 = percentile(lat, 0.50), percentile(lat, 0.90), percentile(lat, 0.99)
	res.P999, res.Max = percentile(lat, 0.999), percentile(lat, 1)
	if len(cpuLat) == len(lat) { // every request measured, or the figures would mislead
		slices.Sort(cpuLat)
		res.CPUP50, res.CPUP99, res.CPUMax = percentile(cpuLat, 0.50), percentile(cpuLat, 0.99), percentile(cpuLat, 1)
		res.raw.cpuLat = cpuLat
	}
	if r.cfg.Samples != nil {
		slices.SortFunc(samples, func(a, b Sample) int { return cmp.Compare(a.Start, b.Start) })
		r.cfg.Samples(name, samples)
	}
	if meter != nil {
		c, err := meter.finish()
		if err == nil && requests > 0 && c.Seconds > 0 {
			res.CPUPer1000 = c.Seconds / float64(requests) * 1000
			res.raw.cpuSeconds = c.Seconds
			res.Processes, res.Exited, res.Appeared = c.Processes, c.Exited, c.Appeared
		} else if err != nil {
			res.CPUError = err.Error() // not an error of the workload: its per-core figure is left out
		}
	}
	return res
}

// rawRun is what pooling rounds (pool) needs of each round's result.
type rawRun struct {
	lat, cpuLat []time.Duration // sorted; cpuLat nil unless every request's server CPU was measured
	cpuSeconds  float64         // the counted processes' CPU over the loop; 0 when not measured
	steal       time.Duration   // Config.Steal over the loop, when stealOK
	stealOK     bool
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p)
	return sorted[i]
}
