package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync"
	"time"
)

// The code_exchange and login workloads.

// errExhausted ends a worker's loop without counting an error: the
// prefetched input ran out before the duration did.
var errExhausted = errors.New("prefetched input exhausted")

// Bounds of the code_exchange prefetch. Codes live 60 s on both providers,
// so the prefetch stops after at most maxPrefetchTime and a code older than
// maxCodeAge is skipped rather than sent.
const (
	maxPrefetchCodes = 300_000
	maxPrefetchTime  = 30 * time.Second
	maxCodeAge       = 50 * time.Second
)

// prefetched is an authorization code with its PKCE verifier.
type prefetched struct {
	code, verifier string
	at             time.Time
}

// prefetchCodes fills r.codes by authorizing cl with the member's session,
// concurrently, for 1.5 × the duration (at most maxPrefetchTime) or
// maxPrefetchCodes codes, whichever comes first. Not measured.
//
// After the deadline no worker starts another authorization, but one under
// way runs to its end: cancelling it would drop the client's connection
// mid-request, and a server on PostgreSQL then closes the database
// connection that request was using (pgx cancels a query whose context ends
// by breaking its connection), so the pool would open a new backend while
// the measured loop runs, and the old one's CPU could no longer be read.
func (r *runner) prefetchCodes(ctx context.Context, cl client) error {
	budget := min(r.cfg.Duration+r.cfg.Duration/2, maxPrefetchTime)
	deadline := time.Now().Add(budget)
	var (
		mu    sync.Mutex
		codes = make([]prefetched, 0, 4096)
		first error
		wg    sync.WaitGroup
	)
	perWorker := maxPrefetchCodes / r.cfg.Concurrency
	for range r.cfg.Concurrency {
		wg.Go(func() {
			for i := 0; i < perWorker && time.Now().Before(deadline); i++ {
				p, err := r.authorizeOnly(ctx, r.browser, cl, false, r.firstEmail())
				if ctx.Err() != nil {
					return
				}
				mu.Lock()
				if err != nil {
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
				p.at = time.Now()
				codes = append(codes, p)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if first != nil {
		return fmt.Errorf("code prefetch: %w", first)
	}
	if len(codes) == 0 {
		return errors.New("code prefetch: no code in time")
	}
	r.codes = codes
	r.nextCode.Store(0)
	return nil
}

// exchanger redeems the next prefetched code (oldest first) as cl.
func (r *runner) exchanger(cl client) op {
	return func(ctx context.Context, _ int) error {
		for {
			i := r.nextCode.Add(1) - 1
			if i >= int64(len(r.codes)) {
				return errExhausted
			}
			p := r.codes[i]
			if time.Since(p.at) > maxCodeAge {
				continue // about to expire: skip, never count it
			}
			_, err := r.exchange(ctx, cl, p)
			return err
		}
	}
}

// prepareLogin checks the password and an email are there, and probes
// whether the provider serves Guildgate's GET /login form; without one the
// login workload walks the authorize interaction instead (oidc-provider's
// bench-op.mjs).
func (r *runner) prepareLogin(ctx context.Context) error {
	if len(r.emails) == 0 {
		return errors.New("login: --member-email is required")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(r.cfg.Target, "/")+"/login", nil)
	if err != nil {
		return err
	}
	resp, err := r.http.Do(req)
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	page, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	_, _, hasForm := loginForm(string(page))
	r.useForm = resp.StatusCode == http.StatusOK && hasForm && hasInput(string(page), "email")
	if r.useForm && r.cfg.MemberPassword == "" {
		return errors.New("login: the member's password is required (stdin's second line)")
	}
	base := r.http.Transport.(*http.Transport)
	r.logins = make([]*http.Transport, r.cfg.Concurrency)
	for w := range r.logins {
		src := workerAddress(w)
		t := base.Clone()
		t.MaxIdleConnsPerHost, t.MaxIdleConns = 1, 1
		t.DialContext = func(ctx context.Context, _, addr string) (net.Conn, error) { return dialFrom(ctx, addr, src) }
		r.logins[w] = t
	}
	return nil
}

func (r *runner) closeLogins() {
	for _, t := range r.logins {
		t.CloseIdleConnections()
	}
	r.logins = nil
}

// loginOnce is one password sign-in in a fresh cookie jar, as worker w's
// member (the list is rotated so no account's throttle sees more than
// concurrency ÷ members attempts at once), from worker w's own loopback
// address when the target is on loopback: the server keys its per-address
// throttle on the connection's address (no proxy is trusted), and
// members sign in from addresses of their own, not all from one.
func (r *runner) loginOnce(ctx context.Context, w int) error {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Transport: r.logins[w], Timeout: r.http.Timeout, CheckRedirect: r.http.CheckRedirect, Jar: jar}
	email := r.emails[w%len(r.emails)]
	if !r.useForm {
		_, err := r.authorizeOnly(ctx, c, r.rs256, true, email)
		return err
	}
	return r.loginForm(ctx, c, email)
}

// loginForm walks GET /login → email step → password step, until the
// provider redirects with a session cookie set.
func (r *runner) loginForm(ctx context.Context, c *http.Client, email string) error {
	target := strings.TrimSuffix(r.cfg.Target, "/") + "/login"
	method, body := http.MethodGet, ""
	for step := range 4 { // GET, POST email, POST password, at most one spare
		req, err := http.NewRequestWithContext(ctx, method, target, strings.NewReader(body))
		if err != nil {
			return err
		}
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := c.Do(req)
		if err != nil {
			return err
		}
		page, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if err != nil {
			return err
		}
		base := resp.Request.URL
		switch {
		case resp.StatusCode >= 300 && resp.StatusCode < 400 && step > 0:
			if len(c.Jar.Cookies(base)) == 0 {
				return errors.New("login: redirected without a session cookie")
			}
			return nil
		case resp.StatusCode == http.StatusOK:
			action, form, ok := loginForm(string(page))
			if !ok {
				return fmt.Errorf("%s %s: a page without a sign-in form", method, base.Path)
			}
			if hasInput(string(page), "email") && !form.Has("email") {
				form.Set("email", email)
			}
			if hasInput(string(page), "password") {
				form.Set("password", r.cfg.MemberPassword)
			}
			a, err := base.Parse(action)
			if err != nil {
				return err
			}
			method, body, target = http.MethodPost, form.Encode(), a.String()
		default:
			return fmt.Errorf("%s %s: status %d: %.200s", method, base.Path, resp.StatusCode, page)
		}
	}
	return errors.New("login: no redirect after the password step")
}

// firstEmail is the member of the session workloads.
func (r *runner) firstEmail() string {
	if len(r.emails) == 0 {
		return ""
	}
	return r.emails[0]
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, e := range strings.Split(s, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}
