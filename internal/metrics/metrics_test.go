package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

func TestRequestAndLoginMetricsAreExposed(t *testing.T) {
	m := New()
	m.ObserveRequest("GET /login", "GET", 200, 3*time.Millisecond)
	m.ObserveRequest("", "BREW", 404, time.Millisecond)
	m.LoginAttempt("failure")
	m.LoginAttempt("failure")
	m.OutboundRequest("discovery", "refused")
	out := scrape(t, m)
	for _, want := range []string{
		`guildgate_http_requests_total{method="GET",route="GET /login",status="200"} 1`,
		`guildgate_http_requests_total{method="other",route="unmatched",status="404"} 1`,
		`guildgate_http_request_duration_seconds_count{method="GET",route="GET /login"} 1`,
		`guildgate_login_attempts_total{outcome="failure"} 2`,
		`guildgate_outbound_requests_total{outcome="refused",purpose="discovery"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics output lacks %s", want)
		}
	}
}

// TestRepeatedRequestsAccumulate: requests that reuse a series (same route,
// method and status) add to it, and the latency histogram, which has no
// status label, counts every status of its route and method.
func TestRepeatedRequestsAccumulate(t *testing.T) {
	m := New()
	for range 3 {
		m.ObserveRequest("GET /login", "GET", 200, time.Millisecond)
	}
	m.ObserveRequest("GET /login", "GET", 302, time.Millisecond)
	m.ObserveRequest("POST /login", "POST", 200, 2*time.Second)
	m.ObserveRequest("POST /login", "POST", 200, 2*time.Second)
	out := scrape(t, m)
	for _, want := range []string{
		`guildgate_http_requests_total{method="GET",route="GET /login",status="200"} 3`,
		`guildgate_http_requests_total{method="GET",route="GET /login",status="302"} 1`,
		`guildgate_http_requests_total{method="POST",route="POST /login",status="200"} 2`,
		`guildgate_http_request_duration_seconds_count{method="GET",route="GET /login"} 4`,
		`guildgate_http_request_duration_seconds_count{method="POST",route="POST /login"} 2`,
		`guildgate_http_request_duration_seconds_bucket{method="POST",route="POST /login",le="2.5"} 2`,
		`guildgate_http_request_duration_seconds_bucket{method="POST",route="POST /login",le="1"} 0`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics output lacks %s", want)
		}
	}
}
