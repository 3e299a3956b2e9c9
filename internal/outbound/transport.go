package outbound

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// roundTripper applies one purpose's rules to every hop of a request.
type roundTripper struct {
	c       *Client
	purpose Purpose
	limit   limit
}

// RoundTrip refuses anything but https (each redirect hop comes through
// here too), lets the dialer check the address, and bounds the body. An
// answer announcing more than the bound is still handed over, so that a
// caller who needs only its status or first bytes (the authorization
// probe) gets them; reading past the bound fails.
func (rt *roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "https" {
		if req.Body != nil {
			req.Body.Close()
		}
		rt.c.observe(rt.purpose, outcomeRefused)
		return nil, &RefusedError{Host: req.URL.Host, Reason: "only https URLs are fetched, not " + req.URL.Scheme}
	}
	resp, err := rt.c.transport.RoundTrip(req)
	if err != nil {
		rt.c.observe(rt.purpose, outcomeOfError(req.Context(), err))
		return nil, err
	}
	resp.Body = &boundedBody{rc: resp.Body, ctx: req.Context(), left: rt.limit.maxBody, limit: rt.limit.maxBody,
		done: func(outcome string) { rt.c.observe(rt.purpose, outcome) }, outcome: outcomeOfStatus(resp.StatusCode)}
	return resp, nil
}

// checkRedirect follows at most the purpose's hops; 0 hands the 3xx back
// to the caller unfollowed. The next hop's scheme and address are checked
// by RoundTrip and the dialer like the first's.
func (rt *roundTripper) checkRedirect(req *http.Request, via []*http.Request) error {
	if rt.limit.redirects == 0 {
		return http.ErrUseLastResponse
	}
	if len(via) > rt.limit.redirects {
		rt.c.observe(rt.purpose, outcomeRefused)
		return &RefusedError{Host: req.URL.Host, Reason: fmt.Sprintf("more than %d redirects", rt.limit.redirects)}
	}
	return nil
}

// boundedBody fails, rather than truncates, an answer longer than limit:
// a truncated JSON document might still parse. It reports the request's
// outcome once, when closed.
type boundedBody struct {
	rc          io.ReadCloser
	ctx         context.Context // the request's, to tell a timeout mid-body
	left, limit int64
	outcome     string
	done        func(outcome string)
	once        sync.Once
}

func (b *boundedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, &TooLargeError{Limit: b.limit}
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1] // one byte more than allowed tells "exactly the limit" from "more"
	}
	n, err := b.rc.Read(p)
	if int64(n) > b.left {
		n, b.left, b.outcome = int(b.left), -1, outcomeTooLarge
		return n, &TooLargeError{Limit: b.limit}
	}
	b.left -= int64(n)
	if err != nil && err != io.EOF && b.outcome == outcomeOK {
		b.outcome = outcomeOfError(b.ctx, err)
	}
	return n, err
}

func (b *boundedBody) Close() error {
	b.once.Do(func() { b.done(b.outcome) })
	return b.rc.Close()
}
