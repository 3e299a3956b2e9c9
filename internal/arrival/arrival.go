// Package arrival ranks requests that wait for the same thing by how long
// their connection has waited for an answer, so that what is handed out in
// bulk (the group commit's outcomes) goes to the longest-waiting first.
//
// Go's scheduler gives no such order. A goroutine made runnable by the
// network poller joins the run queue with the others that became ready in
// the same poll, in the reverse of the order the kernel reported them
// (runtime.netpoll pushes each onto the front of a list), so a request
// that arrived first is often served last among its batch, and its client
// then sends its next request first, to be served first. Under a steady
// load a client alternates between one of the shortest and one of the
// longest waits: on one core with 32 clients, a p99 near twice the mean.
//
// What the server knows of a request's arrival is when its connection was
// last answered: a client on a kept-alive connection sends its next
// request after that answer, and a new connection had none. So each
// connection holds a stamp from one process-wide counter, taken when it
// opens and again each time a response is done; a smaller stamp waited
// longer. The order is only a preference among requests already waiting
// together; nothing is delayed for it.
package arrival

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"
)

// clock is the process-wide counter the stamps come from.
var clock atomic.Uint64

// Conn is one client connection's place in the order.
type Conn struct{ last atomic.Uint64 }

func newConn() *Conn {
	c := &Conn{}
	c.last.Store(clock.Add(1))
	return c
}

type connKey struct{}

// ConnContext is an http.Server's ConnContext: it gives each connection
// its Conn, stamped as it opens.
func ConnContext(ctx context.Context, _ net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, newConn())
}

// Handler stamps a request's connection once its response is done.
func Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		if c, ok := r.Context().Value(connKey{}).(*Conn); ok {
			c.last.Store(clock.Add(1))
		}
	})
}

// Rank is ctx's place in the order: the stamp of its request's connection,
// smaller for longer waits. Work that no connection asked for (a command,
// a background job) ranks as if just answered, behind every waiting client.
func Rank(ctx context.Context) uint64 {
	if c, ok := ctx.Value(connKey{}).(*Conn); ok {
		return c.last.Load()
	}
	return clock.Load() + 1
}
