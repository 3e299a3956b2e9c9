package admin

import (
	"net/http"
	"strings"

	"github.com/guildgate/guildgate/internal/httpx"
)

// ImportBodyLimit bounds a CSV member import: about 100,000 rows of a
// typical member list. Every other request keeps the site's small limit.
const ImportBodyLimit = 32 << 20

// LogoBodyLimit bounds a request that uploads a logo: four times the
// largest logo accepted, so an image somewhat too large still reaches the
// check that says by how much (and a form's other fields fit beside it).
const LogoBodyLimit = 1 << 20

// largeBodies are the routes that take more than the site's small limit,
// by "METHOD path".
var largeBodies = map[string]int64{
	"POST /api/v1/members/import": ImportBodyLimit,
	"POST /admin/members/import":  ImportBodyLimit,
	"PUT /api/v1/branding/logo":   LogoBodyLimit,
	"POST /admin/branding":        LogoBodyLimit,
}

// LimitBody is httpx.LimitBody with the larger limits of largeBodies. Like
// httpx.LimitBody it must be mounted outermost, which is why the choice is
// made here by path rather than on the route itself.
func LimitBody(n int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		small := httpx.LimitBody(n)(next)
		// By method, then path: looking up r.Method+" "+r.URL.Path would
		// build that string on every request.
		large := map[string]map[string]http.Handler{}
		for route, limit := range largeBodies {
			method, path, _ := strings.Cut(route, " ")
			if large[method] == nil {
				large[method] = map[string]http.Handler{}
			}
			large[method][path] = httpx.LimitBody(limit)(next)
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if h, ok := large[r.Method][r.URL.Path]; ok {
				h.ServeHTTP(w, r)
				return
			}
			small.ServeHTTP(w, r)
		})
	}
}
