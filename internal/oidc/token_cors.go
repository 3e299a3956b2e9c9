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
		v := &[2]string{"*", "WWW-Authenticate, DPoP-Nonce"}
		httpx.SetShared(w.Header(), corsHeaderKeys[:], v[:])
		next.ServeHTTP(w, r)
	})
}

var corsHeaderKeys = [2]string{"Access-Control-Allow-Origin", "Access-Control-Expose-Headers"}

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
