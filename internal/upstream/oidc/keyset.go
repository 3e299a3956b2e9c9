package oidc

import (
	"fmt"
	"net/http"
	"sync"
	"time"
)

// jwksFailureTTL is how long a failed fetch of a provider's JWKS is
// remembered. go-oidc fetches the JWKS again whenever a token names a key
// it does not hold; without this, a provider whose JWKS fails would be
// asked again by every sign-in, as fast as people (or a script) retry.
const jwksFailureTTL = 30 * time.Second

// failureMemo is the round tripper of the JWKS fetches: after a fetch that
// failed (no answer, or an answer other than 200), it answers the same
// failure without asking for jwksFailureTTL.
type failureMemo struct {
	next http.RoundTripper
	now  func() time.Time

	mu    sync.Mutex
	until time.Time
	err   error
}

// jwksClient is hc with its transport wrapped in a failureMemo; timeouts,
// redirect policy and the transport's own rules are hc's.
func jwksClient(hc *http.Client, now func() time.Time) *http.Client {
	c := *hc
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c.Transport = &failureMemo{next: next, now: now}
	return &c
}

func (m *failureMemo) RoundTrip(req *http.Request) (*http.Response, error) {
	m.mu.Lock()
	until, remembered := m.until, m.err
	m.mu.Unlock()
	if m.now().Before(until) {
		return nil, remembered
	}
	resp, err := m.next.RoundTrip(req)
	switch {
	case err != nil:
		m.remember(fmt.Errorf("the JWKS could not be fetched (not asked again until %s): %w", m.now().Add(jwksFailureTTL).Format(time.RFC3339), err))
	case resp.StatusCode != http.StatusOK:
		m.remember(fmt.Errorf("the JWKS answered %s (not asked again until %s)", resp.Status, m.now().Add(jwksFailureTTL).Format(time.RFC3339)))
	}
	return resp, err
}

func (m *failureMemo) remember(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.until, m.err = m.now().Add(jwksFailureTTL), err
}
