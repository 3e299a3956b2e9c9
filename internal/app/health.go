package app

import (
	"context"
	"net/http"
	"time"
)

// pinger is what /readyz needs from the store.
type pinger interface {
	Ping(ctx context.Context) error
}

// healthz answers as long as the process can serve HTTP at all.
func healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok\n"))
}

// readyz answers 200 only when the store responds within a second, so a load
// balancer stops sending traffic to a replica that lost its database.
func readyz(st pinger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := st.Ping(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("store unreachable\n"))
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	}
}
