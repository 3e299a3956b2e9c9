package tenancy

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// TestMiddlewareGivesEachRequestItsTenant: requests get the tenant of their
// Host (or the default), the same as Resolve returns, from the cache as
// from the store; a handler changing its copy changes no other request's.
func TestMiddlewareGivesEachRequestItsTenant(t *testing.T) {
	svc, st := newTestService(t)
	ctx := context.Background()
	def, _, err := svc.EnsureDefault(ctx, "cli", "https://localhost:8443")
	if err != nil {
		t.Fatal(err)
	}
	acme, err := svc.Create(ctx, "cli", TenantInput{Slug: "acme", Issuer: "https://sso.acme.example", Hosts: []string{"login.acme.example"}})
	if err != nil {
		t.Fatal(err)
	}
	r := &Resolver{Tenants: st.Tenants(), TTL: time.Minute, Now: func() time.Time { return testClock }}
	var got model.Tenant
	h := r.Middleware(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var ok bool
		if got, ok = FromContext(req.Context()); !ok {
			t.Fatal("no tenant in context")
		}
		got.Name, got.Hosts = "changed by a handler", nil
		if again, _ := FromContext(req.Context()); again.Name == got.Name {
			t.Error("a handler's copy is the context's tenant")
		}
	}), func(http.ResponseWriter, *http.Request, error) { t.Fatal("refused") })

	for range 2 { // from the store, then from the cache
		for host, want := range map[string]model.Tenant{
			"login.acme.example": acme, "SSO.Acme.example:443": acme, "localhost:8443": def, "other.example": def,
		} {
			req := httptest.NewRequest("GET", "/", nil)
			req.Host = host
			h.ServeHTTP(httptest.NewRecorder(), req)
			parsed, _ := ParseHost(host)
			resolved, err := r.Resolve(ctx, parsed)
			if err != nil || resolved.ID != want.ID || resolved.Name != want.Name || len(resolved.Hosts) != len(want.Hosts) {
				t.Errorf("Resolve(%q) = %+v, %v; want %s", parsed, resolved, err, want.Slug)
			}
			if got.ID != want.ID {
				t.Errorf("Host %q: tenant %s, want %s", host, got.Slug, want.Slug)
			}
		}
	}
}
