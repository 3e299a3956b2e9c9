package admin

import (
	"net/http"

	"github.com/guildgate/guildgate/internal/httpx"
)

// ImportBodyLimit bounds a CSV member import: about 100,000 rows of a
// typical member list. Every other request keeps the site's small limit.
const ImportBodyLimit = 32 << 20

// importPaths receive member CSV files.
var importPaths = map[string]bool{"/api/v1/members/import": true, "/admin/members/import": true}

// LimitBody is httpx.LimitBody with the larger ImportBodyLimit for the
// import routes. Like httpx.LimitBody it must be mounted outermost, which is
// why the choice is made here by path rather than on the route itself.
func LimitBody(n int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		small, large := httpx.LimitBody(n)(next), httpx.LimitBody(ImportBodyLimit)(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && importPaths[r.URL.Path] {
				large.ServeHTTP(w, r)
				return
			}
			small.ServeHTTP(w, r)
		})
	}
}
