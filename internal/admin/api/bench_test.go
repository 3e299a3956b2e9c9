package api

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/admin/apikeys"
	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store/storetest"
	"github.com/guildgate/guildgate/internal/tenancy"
)

// BenchmarkMemberSearch100k is the console's and the API's member search,
// first page of 50, over 100,000 members on SQLite, through the whole
// handler (key check, query, JSON). Searching scans the lower-cased columns
// in (email, id) order and stops at the first 50 matches, so a common term
// is as fast as no term and the worst case is a term that matches nothing.
func BenchmarkMemberSearch100k(b *testing.B) {
	h, tenant, key := benchHandler(b, 100_000)
	mux := h.mux()
	for _, bc := range []struct{ name, query string }{
		{"first-page", ""},
		{"common-term", "q=family"},
		{"one-match", "q=member099999@"},
		{"no-match", "q=nobody-has-this"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				r := httptest.NewRequest("GET", "https://sso.example/api/v1/members?limit=50&"+bc.query, nil)
				r.Header.Set("Authorization", "Bearer "+key)
				w := httptest.NewRecorder()
				mux.ServeHTTP(w, r.WithContext(tenancy.NewContext(r.Context(), tenant)))
				if w.Code != http.StatusOK {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}

func benchHandler(b *testing.B, n int) (*Handler, model.Tenant, string) {
	st := storetest.NewSQLite(b)
	ctx := b.Context()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tn := model.Tenant{ID: "t1", Slug: "default", Name: "d", Issuer: "https://sso.example", CreatedAt: now, UpdatedAt: now}
	if err := st.Tenants().Create(ctx, tn); err != nil {
		b.Fatal(err)
	}
	for i := range n {
		m := model.Member{ID: fmt.Sprintf("id-%06d", i), TenantID: tn.ID, Email: fmt.Sprintf("member%06d@example.org", i),
			Name: fmt.Sprintf("Given%d Family%d", i, i%997), Status: model.StatusCurrent, CreatedAt: now, UpdatedAt: now}
		if err := st.Members().Create(ctx, m); err != nil {
			b.Fatal(err)
		}
	}
	keys := &apikeys.Service{Store: st.APIKeys(), Audit: st.Audit(), Now: time.Now}
	_, secret, err := keys.Create(ctx, "cli", tn.ID, "bench")
	if err != nil {
		b.Fatal(err)
	}
	h := &Handler{APIKeys: keys, Audit: st.Audit(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Dir: &directory.Service{Members: st.Members(), Groups: st.Groups(), Grants: st.Grants(), Clients: st.Clients(), Sessions: st.Sessions(), Audit: st.Audit(), Atomic: st.Atomic,
			Now: func() time.Time { return now }}}
	return h, tn, secret
}
