package tenancy

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

var testClock = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newTestService(t *testing.T) (*Service, *sqlstore.Store) {
	t.Helper()
	st := storetest.NewSQLite(t)
	return &Service{Store: st.Tenants(), Audit: st.Audit(), Now: func() time.Time { return testClock }}, st
}

func strPtr(s string) *string { return &s }

func TestCreateNormalisesAndAudits(t *testing.T) {
	svc, st := newTestService(t)
	got, err := svc.Create(context.Background(), "cli", TenantInput{
		Slug: " acme ", Issuer: " https://SSO.Acme.example/ ", Hosts: []string{"Login.Acme.example", "login.acme.example "},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Slug != "acme" || got.Name != "acme" || got.Issuer != "https://sso.acme.example" ||
		!slices.Equal(got.Hosts, []string{"login.acme.example"}) || !got.CreatedAt.Equal(testClock) {
		t.Fatalf("created %+v", got)
	}
	stored, err := svc.Get(context.Background(), "acme")
	if err != nil || stored.ID != got.ID || stored.Issuer != got.Issuer {
		t.Fatalf("Get = %+v, %v", stored, err)
	}
	ev, _ := st.Audit().List(context.Background(), got.ID, store.AuditQuery{})
	if len(ev.Items) != 1 || ev.Items[0].Action != "tenant.create" || ev.Items[0].Actor != "cli" {
		t.Fatalf("audit = %+v", ev.Items)
	}
}

func TestCreateValidation(t *testing.T) {
	ok := TenantInput{Slug: "acme", Issuer: "https://sso.acme.example"}
	with := func(f func(*TenantInput)) TenantInput { in := ok; f(&in); return in }
	tests := []struct {
		name string
		in   TenantInput
		want []string
	}{
		{"issuer with path and port", with(func(in *TenantInput) { in.Issuer = "https://acme.example:8443/sso" }), nil},
		{"after-logout URL", with(func(in *TenantInput) { in.AfterLogoutURL = "https://acme.example/bye?x=1" }), nil},
		{"upper-case slug", with(func(in *TenantInput) { in.Slug = "Acme" }), []string{`slug: "Acme" must be`}},
		{"leading hyphen", with(func(in *TenantInput) { in.Slug = "-acme" }), []string{"slug: "}},
		{"64-character slug", with(func(in *TenantInput) { in.Slug = strings.Repeat("a", 64) }), []string{"slug: "}},
		{"missing issuer", with(func(in *TenantInput) { in.Issuer = "" }), []string{"issuer: is required"}},
		{"http issuer", with(func(in *TenantInput) { in.Issuer = "http://sso.acme.example" }), []string{"issuer: \"http://sso.acme.example\" must be an absolute https:// URL"}},
		{"relative issuer", with(func(in *TenantInput) { in.Issuer = "sso.acme.example" }), []string{"issuer: "}},
		{"issuer query", with(func(in *TenantInput) { in.Issuer = "https://sso.acme.example?a=b" }), []string{"must not have a query or fragment"}},
		{"issuer fragment", with(func(in *TenantInput) { in.Issuer = "https://sso.acme.example#x" }), []string{"must not have a query or fragment"}},
		{"issuer user info", with(func(in *TenantInput) { in.Issuer = "https://u:p@sso.acme.example" }), []string{"must not contain user info"}},
		{"host with scheme", with(func(in *TenantInput) { in.Hosts = []string{"https://acme.example"} }), []string{"host: \"https://acme.example\" must be a bare host name, without a scheme"}},
		{"host with port", with(func(in *TenantInput) { in.Hosts = []string{"acme.example:443"} }), []string{"without a port"}},
		{"host with path", with(func(in *TenantInput) { in.Hosts = []string{"acme.example/sso"} }), []string{"without a path"}},
		{"empty host", with(func(in *TenantInput) { in.Hosts = []string{" "} }), []string{"host: must not be empty"}},
		{"bad label", with(func(in *TenantInput) { in.Hosts = []string{"acme_.example"} }), []string{"is not a valid host name"}},
		{"http after-logout URL", with(func(in *TenantInput) { in.AfterLogoutURL = "http://acme.example" }), []string{"after_logout_url: "}},
		{"everything at once", TenantInput{Slug: "A", Issuer: "ftp://x", Hosts: []string{"a:1"}}, []string{"slug", "issuer", "host"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, _ := newTestService(t)
			_, err := svc.Create(context.Background(), "cli", tt.in)
			checkProblems(t, err, tt.want)
			if list, _ := svc.List(context.Background()); len(list) != map[bool]int{true: 1}[tt.want == nil] {
				t.Fatalf("tenants after create = %d", len(list))
			}
		})
	}
}

func checkProblems(t *testing.T, err error, want []string) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return
	}
	var ve *problem.Invalid
	if !errors.As(err, &ve) || len(ve.Problems) != len(want) {
		t.Fatalf("error = %v, want %d problems %q", err, len(want), want)
	}
	for i, w := range want {
		if !strings.Contains(ve.Problems[i].String(), w) {
			t.Errorf("problem %d = %q, want %q", i, ve.Problems[i], w)
		}
	}
}

func TestCreateConflicts(t *testing.T) {
	svc, _ := newTestService(t)
	ctx := context.Background()
	if _, err := svc.Create(ctx, "cli", TenantInput{Slug: "acme", Issuer: "https://sso.acme.example", Hosts: []string{"login.acme.example"}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in   TenantInput
		want string
	}{
		{TenantInput{Slug: "acme", Issuer: "https://other.example"}, `a tenant with slug "acme" or one of its hosts already exists`},
		{TenantInput{Slug: "b", Issuer: "https://sso.acme.example:9443/b"}, `host "sso.acme.example" is already used by tenant "acme"`},
		{TenantInput{Slug: "c", Issuer: "https://c.example", Hosts: []string{"LOGIN.acme.example"}}, `host "login.acme.example" is already used by tenant "acme"`},
	}
	for _, tt := range tests {
		_, err := svc.Create(ctx, "cli", tt.in)
		var ce *problem.Conflict
		if !errors.As(err, &ce) || !errors.Is(err, model.ErrConflict) || err.Error() != tt.want {
			t.Errorf("Create(%+v) = %v, want conflict %q", tt.in, err, tt.want)
		}
	}
}

func TestUpdate(t *testing.T) {
	svc, _ := newTestService(t)
	ctx := context.Background()
	orig, _ := svc.Create(ctx, "cli", TenantInput{Slug: "acme", Name: "Acme", Issuer: "https://sso.acme.example", Hosts: []string{"a.example"}})
	_, _ = svc.Create(ctx, "cli", TenantInput{Slug: "other", Issuer: "https://other.example"})

	got, err := svc.Update(ctx, "cli", "acme", TenantPatch{Name: strPtr("Acme Guild"), AfterLogoutURL: strPtr("https://acme.example/")})
	if err != nil || got.Name != "Acme Guild" || got.Issuer != orig.Issuer || !slices.Equal(got.Hosts, orig.Hosts) ||
		got.AfterLogoutURL != "https://acme.example/" {
		t.Fatalf("Update = %+v, %v", got, err)
	}
	got, err = svc.Update(ctx, "cli", "acme", TenantPatch{Hosts: &[]string{}})
	if err != nil || len(got.Hosts) != 0 {
		t.Fatalf("clearing hosts = %+v, %v", got, err)
	}
	_, err = svc.Update(ctx, "cli", "acme", TenantPatch{Issuer: strPtr("https://other.example/x")})
	if !errors.Is(err, model.ErrConflict) || err.Error() != `host "other.example" is already used by tenant "other"` {
		t.Fatalf("taken issuer host: %v", err)
	}
	_, err = svc.Update(ctx, "cli", "nobody", TenantPatch{Name: strPtr("x")})
	var nf *problem.NotFound
	if !errors.As(err, &nf) || err.Error() != `no tenant with slug "nobody"` {
		t.Fatalf("unknown slug: %v", err)
	}
	_, err = svc.Update(ctx, "cli", "acme", TenantPatch{})
	checkProblems(t, err, []string{"nothing to change"})
	_, err = svc.Update(ctx, "cli", "acme", TenantPatch{Name: strPtr(" "), Issuer: strPtr("http://x")})
	checkProblems(t, err, []string{"name: must not be empty", "issuer: "})
	if now, _ := svc.Get(ctx, "acme"); now.Name != "Acme Guild" || now.Issuer != orig.Issuer {
		t.Fatalf("refused updates changed the tenant: %+v", now)
	}
}

func TestEnsureDefault(t *testing.T) {
	svc, _ := newTestService(t)
	ctx := context.Background()
	first, created, err := svc.EnsureDefault(ctx, "system", "https://localhost:8443")
	if err != nil || !created || first.Slug != model.DefaultTenantSlug || first.Issuer != "https://localhost:8443" {
		t.Fatalf("first EnsureDefault = %+v, %v, %v", first, created, err)
	}
	again, created, err := svc.EnsureDefault(ctx, "system", "https://sso.example.org")
	if err != nil || created || again.ID != first.ID || again.Issuer != first.Issuer {
		t.Fatalf("second EnsureDefault = %+v, %v, %v", again, created, err)
	}
	if _, _, err := svc.EnsureDefault(ctx, "system", "not a url"); err != nil {
		t.Fatalf("an existing default needs no valid issuer: %v", err)
	}
}

func TestEnsureDefaultRefusesBadIssuer(t *testing.T) {
	svc, _ := newTestService(t)
	_, created, err := svc.EnsureDefault(context.Background(), "system", "http://localhost")
	if created {
		t.Fatal("created with a bad issuer")
	}
	checkProblems(t, err, []string{"issuer: "})
}
