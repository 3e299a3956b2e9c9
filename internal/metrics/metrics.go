// Package metrics owns Guildgate's Prometheus registry, so the metric names
// and labels operators build dashboards on are declared in one place.
package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the registry and the collectors the server updates.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	logins   *prometheus.CounterVec
	outbound *prometheus.CounterVec
	outbox   *prometheus.CounterVec

	// series maps a request's labels to its counter and histogram, so a
	// request costs one map read instead of hashing its labels into both
	// vectors. It holds no more entries than the vectors hold series.
	series sync.Map // requestLabels -> *requestSeries
}

type requestLabels struct {
	route, method string
	status        int
}

type requestSeries struct {
	count   prometheus.Counter
	latency prometheus.Observer
}

// New registers every collector on a fresh registry (never the global one,
// so tests can build many servers in one process).
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "guildgate_http_requests_total",
			Help: "HTTP requests by route pattern, method and status code.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "guildgate_http_request_duration_seconds",
			Help:    "HTTP request latency by route pattern and method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "guildgate_login_attempts_total",
			Help: "Password sign-in attempts by outcome (success, failure, throttled).",
		}, []string{"outcome"}),
		outbound: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "guildgate_outbound_requests_total",
			Help: "Requests to partners' URLs (upstream providers, back-channel logout) by purpose and outcome (ok, refused, too_large, timeout, …).",
		}, []string{"purpose", "outcome"}),
		outbox: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "guildgate_outbox_items_total",
			Help: "Outbox items (mail, webhooks) by kind and event: queued, sent, retried (an attempt failed), failed (given up).",
		}, []string{"kind", "event"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.logins, m.outbound, m.outbox,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ObserveRequest records one finished request. route must be the mux pattern
// (bounded cardinality), never the raw path.
func (m *Metrics) ObserveRequest(route, method string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	key := requestLabels{route, boundedMethod(method), status}
	s, ok := m.series.Load(key)
	if !ok {
		s, _ = m.series.LoadOrStore(key, &requestSeries{
			count:   m.requests.WithLabelValues(key.route, key.method, strconv.Itoa(status)),
			latency: m.latency.WithLabelValues(key.route, key.method),
		})
	}
	rs := s.(*requestSeries)
	rs.count.Inc()
	rs.latency.Observe(d.Seconds())
}

// LoginAttempt counts a password sign-in by outcome.
func (m *Metrics) LoginAttempt(outcome string) { m.logins.WithLabelValues(outcome).Inc() }

// OutboundRequest counts one request to a partner's URL; the outbound
// package keeps both labels to small fixed sets.
func (m *Metrics) OutboundRequest(purpose, outcome string) {
	m.outbound.WithLabelValues(purpose, outcome).Inc()
}

// OutboxEvent counts what happened to an outbox item; kinds and events are
// small fixed sets (package outbox).
func (m *Metrics) OutboxEvent(kind, event string) { m.outbox.WithLabelValues(kind, event).Inc() }

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// boundedMethod keeps arbitrary client-chosen methods out of label values.
func boundedMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return method
	}
	return "other"
}
