package httpx

import (
	"log/slog"
	"net/http"
	"net/netip"
	"time"
)

// RequestObserver receives one call per finished request (metrics).
type RequestObserver interface {
	ObserveRequest(route, method string, status int, d time.Duration)
}

// AccessLog writes one structured line per request. It deliberately records
// only the method, route pattern, path without query (and without a one-time
// link's token, see loggedPath), status, size, duration, request id and
// client ip: headers, cookies, query strings and bodies carry passwords,
// codes and tokens and never reach the log. Now is required.
type AccessLog struct {
	Logger         *slog.Logger
	TrustedProxies []netip.Prefix
	Observer       RequestObserver // optional
	Now            func() time.Time
}

// Wrap logs every request that passes through next. The route pattern comes
// back from the mux through the request's state (see RecordRoute), across
// middleware that replace the *http.Request.
func (l AccessLog) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := l.Now()
		s := stateFrom(r.Context())
		if s == nil {
			r, s = withState(r)
		}
		rec := &s.rec
		if rec.ResponseWriter != nil { // a second AccessLog: its own recorder
			rec = &recorder{}
		}
		rec.ResponseWriter = w
		defer func() {
			// A panic that got past Recover (or an aborted response) is
			// still logged, as a 500 if nothing was sent, then re-raised.
			v := recover()
			if v != nil && !rec.wroteHeader() {
				rec.status = http.StatusInternalServerError
			}
			l.finish(r, rec, s.pattern, l.Now().Sub(start))
			if v != nil {
				panic(v)
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

func (l AccessLog) finish(r *http.Request, rec *recorder, pattern string, d time.Duration) {
	status := rec.statusCode()
	// The fields are only worked out when the line is written: at "warn"
	// the access log costs nothing.
	if ctx := r.Context(); l.Logger.Enabled(ctx, slog.LevelInfo) {
		l.Logger.LogAttrs(ctx, slog.LevelInfo, "request",
			slog.String("method", r.Method),
			slog.String("route", pattern),
			slog.String("path", loggedPath(r.URL.Path, pattern)),
			slog.Int("status", status),
			slog.Int64("bytes", rec.bytes),
			slog.Duration("duration", d),
			slog.String("request_id", RequestIDFrom(ctx)),
			slog.String("client_ip", ClientIP(r, l.TrustedProxies)),
		)
	}
	if l.Observer != nil {
		l.Observer.ObserveRequest(pattern, r.Method, status, d)
	}
}

// RecordRoute wraps the mux so AccessLog learns the matched pattern: the mux
// sets r.Pattern only on the request it receives, which middleware in between
// may have replaced with a copy. With nested muxes the innermost pattern wins,
// since its deferred note runs first.
func RecordRoute(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if s := stateFrom(r.Context()); s != nil && s.pattern == "" {
				s.pattern = r.Pattern
			}
		}()
		mux.ServeHTTP(w, r)
	})
}

// recorder remembers the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 && code >= 200 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach Flush and deadlines.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// wroteHeader reports whether the response has started; Recover uses it.
func (r *recorder) wroteHeader() bool { return r.status != 0 }

func (r *recorder) statusCode() int {
	if r.status == 0 {
		return http.StatusOK // nothing written: net/http sends 200
	}
	return r.status
}
