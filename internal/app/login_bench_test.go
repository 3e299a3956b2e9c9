package app_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
)

// BenchmarkPasswordSignIn is guildgate-bench's login workload without TLS,
// the network or argon2id's cost (a 64 KiB hash): GET /login, the email
// step, the password step, in a fresh cookie jar each time. What it
// measures is everything a sign-in costs the server besides the hash.
func BenchmarkPasswordSignIn(b *testing.B) {
	ctx := context.Background()
	a, st, hasher := benchApp(b, slog.LevelWarn)
	tn, err := st.Tenants().GetBySlug(ctx, model.DefaultTenantSlug)
	if err != nil {
		b.Fatal(err)
	}
	const pw = "bench-password-9f3a1c7e"
	hash, err := hasher.Hash(ctx, pw)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	if err := st.Members().Create(ctx, model.Member{ID: ids.NewUUID(), TenantID: tn.ID, Email: "ada@example.org",
		EmailVerified: true, Name: "Ada", Status: model.StatusCurrent, PasswordHash: hash,
		CreatedAt: now, UpdatedAt: now}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	start := processCPU()
	for b.Loop() {
		benchSignIn(b, a.Handler, pw)
	}
	b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
}

var benchCSRF = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// benchSignIn walks the three requests of one sign-in, as a browser with no
// cookies would.
func benchSignIn(b *testing.B, h http.Handler, pw string) {
	const base = "https://localhost:8443/login"
	w := serve(h, httptest.NewRequest(http.MethodGet, base, nil), nil)
	m := benchCSRF.FindStringSubmatch(w.Body.String())
	if w.Code != http.StatusOK || m == nil {
		b.Fatalf("GET /login: %d", w.Code)
	}
	cookies := w.Result().Cookies()
	form := url.Values{"csrf_token": {m[1]}, "return_to": {"/"}, "email": {"ada@example.org"}}
	if w = serve(h, formPost(base, form), cookies); w.Code != http.StatusOK {
		b.Fatalf("email step: %d", w.Code)
	}
	form.Set("password", pw)
	if w = serve(h, formPost(base, form), cookies); w.Code != http.StatusSeeOther {
		b.Fatalf("password step: %d %s", w.Code, w.Body)
	}
}

func formPost(target string, form url.Values) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func serve(h http.Handler, r *http.Request, cookies []*http.Cookie) *httptest.ResponseRecorder {
	r.RemoteAddr = "127.0.0.2:40000"
	for _, c := range cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}
