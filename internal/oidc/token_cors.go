package oidc

import (
	"net/http"
	"strings"

	"github.com/guildgate/guildgate/internal/httpx"
)

// Browser-based relying parties (single-page apps, public clients) call the
// token, userinfo and revocation endpoints with fetch(), cross-origin. Those
// endpoints never read a cookie: they authenticate a client or a bearer
// token sent explicitly, so allowing every origin exposes nothing that a
// non-browser client could not already obtain. Allow-Credentials is never
// set, so a browser will not attach cookies to these requests.

// cors lets any origin read next's responses, errors and challenges included.
func cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// One array holds both values (one allocation per response, not
		// two); the keys are canonical already, and each slice has
		// capacity 1, so an Add elsewhere copies instead of overwriting
		// its neighbour.
		v := &[2]string{"*", "WWW-Authenticate, DPoP-Nonce"}
		h := w.Header()
		h["Access-Control-Allow-Origin"] = v[0:1:1]
		h["Access-Control-Expose-Headers"] = v[1:2:2]
		next.ServeHTTP(w, r)
	})
}

// mountClientPOST registers a JSON endpoint (RFC 6749 §5.2 errors) that
// relying parties POST to, browser-based ones cross-origin, and its
// preflight.
func (p *Provider) mountClientPOST(mux *http.ServeMux, path string, fn httpx.HandlerFunc) {
	mux.Handle("POST "+path, cors(p.jsonAPI(fn)))
	mux.Handle("OPTIONS "+path, preflight("POST"))
}

// preflight answers a CORS preflight (OPTIONS) for methods.
func preflight(methods ...string) http.Handler {
	allow := strings.Join(append(methods, "OPTIONS"), ", ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Methods", allow)
		h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, DPoP")
		h.Set("Access-Control-Max-Age", "600")
		h.Set("Allow", allow)
		w.WriteHeader(http.StatusNoContent)
	})
}
