package legacysso

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/tenancy"
)

// FuzzServe sends any query to /sso/auth, signed in and not: the answer is
// a 400 page, the sign-in page, or a redirect to one of the client's own
// registered redirect URIs. Nothing else may come out, and nothing panics.
func FuzzServe(f *testing.F) {
	for _, q := range []string{
		"client_id=c1&redirect_uri=https%3A%2F%2Fp.example%2Fcb",
		"client_id=c1&redirect_uri=https%3A%2F%2Fp.example%2Fsso%3Ftoken%3Dx",
		"client_id=c1&redirect_uri=https%3A%2F%2Fevil.example%2Fcb",
		"client_id=c1&client_id=c1", "redirect_uri=%ff%fe", "client_id=c1%00", "%zz", "",
		"client_id=c1&redirect_uri=https%3A%2F%2Fp.example%2Fsso%3Fa%3D1%3Bb%3D2",
	} {
		f.Add(q, true)
		f.Add(q, false)
	}
	f.Fuzz(func(t *testing.T, rawQuery string, signedIn bool) {
		sessions := fakeSessions{err: session.ErrNoSession}
		if signedIn {
			sessions = fakeSessions{member: model.Member{ID: "m1", Status: model.StatusCurrent}}
		}
		h := newTestHandler(sessions, &fakeAudit{})
		mux := http.NewServeMux()
		h.Mount(mux)
		r := httptest.NewRequest(http.MethodGet, "https://sso.example.org/sso/auth", nil)
		r.URL.RawQuery = rawQuery
		r = r.WithContext(tenancy.NewContext(r.Context(), testTenant))
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		loc := w.Header().Get("Location")
		switch w.Code {
		case http.StatusBadRequest, http.StatusForbidden:
			if loc != "" {
				t.Fatalf("a %d carries Location %q", w.Code, loc)
			}
		case http.StatusSeeOther, http.StatusFound:
			if strings.HasPrefix(loc, loginPath+"?") {
				return
			}
			for _, u := range testClient.RedirectURIs {
				base, _, _ := strings.Cut(u, "?")
				if strings.HasPrefix(loc, base+"?") {
					return
				}
			}
			t.Fatalf("query %q redirected to %q", rawQuery, loc)
		default:
			t.Fatalf("query %q: status %d", rawQuery, w.Code)
		}
	})
}
