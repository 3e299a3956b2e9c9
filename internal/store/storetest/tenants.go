package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var tenantTests = []testCase{
	{"Tenants/CreateGetList", testTenantCreateGet},
	{"Tenants/NotFound", testTenantNotFound},
	{"Tenants/Conflicts", testTenantConflicts},
	{"Tenants/Update", testTenantUpdate},
	{"Tenants/UpdateAborts", testTenantUpdateAborts},
	{"Tenants/Branding", testTenantBranding},
	{"Tenants/Logo", testTenantLogo},
}

// Branding fields round-trip through Create and Update.
func testTenantBranding(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := mkTenant(t, s, "alpha")
	want := a
	want.PrimaryColor, want.SupportURL, want.PrivacyURL = "#1f5fbf", "https://alpha.example/help", "https://alpha.example/privacy"
	want.SignInMessage, want.LogoType, want.LogoHash = "Welcome, bakers — ça va?", "image/png", "ab12"
	got, err := s.Tenants().Update(ctx, a.ID, func(model.Tenant) (model.Tenant, error) { return want, nil })
	ok(t, err)
	equal(t, got, want)
	got, err = s.Tenants().Get(ctx, a.ID)
	ok(t, err)
	equal(t, got, want)
}

// A logo is stored apart from its tenant, replaced whole, removed by an
// empty one, kept per tenant, and written atomically with the tenant row.
func testTenantLogo(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	if _, err := s.Tenants().GetLogo(ctx, a.ID); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("no logo yet: %v", err)
	}
	one := model.Logo{Type: "image/png", Data: []byte{0x89, 'P', 'N', 'G', 0, 1, 2}, Hash: "h1"}
	ok(t, s.Tenants().PutLogo(ctx, a.ID, one))
	two := model.Logo{Type: "image/jpeg", Data: []byte{0xff, 0xd8, 0xff, 0}, Hash: "h2"}
	ok(t, s.Tenants().PutLogo(ctx, a.ID, two))
	got, err := s.Tenants().GetLogo(ctx, a.ID)
	ok(t, err)
	equal(t, got, two)
	if _, err := s.Tenants().GetLogo(ctx, b.ID); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("beta sees alpha's logo: %v", err)
	}
	boom := errors.New("boom")
	err = s.Atomic(ctx, func(tx store.Tx) error {
		ok(t, tx.Tenants().PutLogo(ctx, a.ID, one))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Atomic: %v", err)
	}
	got, err = s.Tenants().GetLogo(ctx, a.ID)
	ok(t, err)
	equal(t, got, two)
	ok(t, s.Tenants().PutLogo(ctx, a.ID, model.Logo{}))
	if _, err := s.Tenants().GetLogo(ctx, a.ID); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("removed logo: %v", err)
	}
}

func testTenantCreateGet(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := model.Tenant{
		ID: newID(), Slug: "alpha", Name: "Alpha", Issuer: "https://SSO.Alpha.example:8443/",
		Hosts: []string{"alpha.example", "www.alpha.example"}, AfterLogoutURL: "https://alpha.example/bye", DefaultLanguage: "fr",
		CreatedAt: t0, UpdatedAt: t0.Add(time.Microsecond),
	}
	ok(t, s.Tenants().Create(ctx, a))
	b := mkTenant(t, s, "beta")

	got, err := s.Tenants().Get(ctx, a.ID)
	ok(t, err)
	equal(t, got, a)
	got, err = s.Tenants().GetBySlug(ctx, "alpha")
	ok(t, err)
	equal(t, got, a)
	for _, host := range []string{"sso.alpha.example", "alpha.example", "www.alpha.example"} {
		got, err = s.Tenants().GetByHost(ctx, host)
		ok(t, err)
		equal(t, got.ID, a.ID)
	}
	got, err = s.Tenants().GetByHost(ctx, "beta.idp.example")
	ok(t, err)
	equal(t, got, b)

	list, err := s.Tenants().List(ctx)
	ok(t, err)
	equal(t, list, []model.Tenant{a, b})
}

func testTenantNotFound(t *testing.T, s store.Store) {
	ctx := t.Context()
	mkTenant(t, s, "alpha", "alpha.example")
	_, err := s.Tenants().Get(ctx, "missing")
	wantErr(t, err, model.ErrNotFound)
	_, err = s.Tenants().GetBySlug(ctx, "missing")
	wantErr(t, err, model.ErrNotFound)
	_, err = s.Tenants().GetByHost(ctx, "missing.example")
	wantErr(t, err, model.ErrNotFound)
	_, err = s.Tenants().GetByHost(ctx, "")
	wantErr(t, err, model.ErrNotFound)
	_, err = s.Tenants().Update(ctx, "missing", mustNotCall[model.Tenant](t))
	wantErr(t, err, model.ErrNotFound)
}

func testTenantConflicts(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := mkTenant(t, s, "alpha", "a.example")
	clash := func(edit func(*model.Tenant)) {
		t.Helper()
		b := model.Tenant{ID: newID(), Slug: "beta", Issuer: "https://beta.idp.example",
			Hosts: []string{"b.example"}, CreatedAt: t0, UpdatedAt: t0}
		edit(&b)
		wantErr(t, s.Tenants().Create(ctx, b), model.ErrConflict)
	}
	clash(func(b *model.Tenant) { b.Slug = "alpha" })
	clash(func(b *model.Tenant) { b.ID = a.ID })
	clash(func(b *model.Tenant) { b.Hosts = append(b.Hosts, "a.example") })
	clash(func(b *model.Tenant) { b.Hosts = append(b.Hosts, "A.Example") })
	clash(func(b *model.Tenant) { b.Hosts = append(b.Hosts, "alpha.idp.example") }) // a's issuer host
	clash(func(b *model.Tenant) { b.Issuer = "https://a.example" })                 // a's extra host
	clash(func(b *model.Tenant) { b.Issuer = "https://alpha.idp.example:444/x" })

	// Nothing of the failed creates is left behind.
	_, err := s.Tenants().GetByHost(ctx, "b.example")
	wantErr(t, err, model.ErrNotFound)
	_, err = s.Tenants().GetBySlug(ctx, "beta")
	wantErr(t, err, model.ErrNotFound)
	list, err := s.Tenants().List(ctx)
	ok(t, err)
	equal(t, list, []model.Tenant{a})

	c := mkTenant(t, s, "gamma", "c.example")
	updateClash := func(edit func(*model.Tenant)) {
		t.Helper()
		_, err := s.Tenants().Update(ctx, c.ID, func(old model.Tenant) (model.Tenant, error) {
			edit(&old)
			return old, nil
		})
		wantErr(t, err, model.ErrConflict)
		got, err := s.Tenants().Get(ctx, c.ID)
		ok(t, err)
		equal(t, got, c)
	}
	updateClash(func(c *model.Tenant) { c.Slug = "alpha" })
	updateClash(func(c *model.Tenant) { c.Hosts = []string{"x.example", "a.example"} })
	updateClash(func(c *model.Tenant) { c.Issuer = "https://alpha.idp.example" })
	got, err := s.Tenants().GetByHost(ctx, "a.example")
	ok(t, err)
	equal(t, got, a)
	_, err = s.Tenants().GetByHost(ctx, "x.example")
	wantErr(t, err, model.ErrNotFound)
}

func testTenantUpdate(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := mkTenant(t, s, "alpha", "a1.example", "a2.example")
	want := a
	want.Slug, want.Name = "alpha2", "Alpha Two"
	want.Issuer = "https://login.alpha.example"
	want.Hosts = []string{"a3.example", "a2.example"}
	want.AfterLogoutURL = "https://alpha.example/elsewhere"
	want.DefaultLanguage = "nl"
	want.UpdatedAt = t0.Add(time.Hour)

	got, err := s.Tenants().Update(ctx, a.ID, func(old model.Tenant) (model.Tenant, error) {
		expect(t, old, a)
		n := want
		n.Hosts = append([]string(nil), want.Hosts...)
		return n, nil
	})
	ok(t, err)
	equal(t, got, want)
	got, err = s.Tenants().Get(ctx, a.ID)
	ok(t, err)
	equal(t, got, want)

	for _, gone := range []string{"a1.example", "alpha.idp.example"} {
		_, err = s.Tenants().GetByHost(ctx, gone)
		wantErr(t, err, model.ErrNotFound)
	}
	for _, host := range []string{"a2.example", "a3.example", "login.alpha.example"} {
		got, err = s.Tenants().GetByHost(ctx, host)
		ok(t, err)
		equal(t, got.ID, a.ID)
	}
	// Released hosts and slugs can be claimed by another tenant.
	b := mkTenant(t, s, "alpha", "a1.example")
	got, err = s.Tenants().GetByHost(ctx, "a1.example")
	ok(t, err)
	equal(t, got.ID, b.ID)

	// Removing every extra host leaves only the issuer's.
	got, err = s.Tenants().Update(ctx, a.ID, func(old model.Tenant) (model.Tenant, error) {
		old.Hosts = nil
		return old, nil
	})
	ok(t, err)
	equal(t, got.Hosts, nil)
	_, err = s.Tenants().GetByHost(ctx, "a3.example")
	wantErr(t, err, model.ErrNotFound)
}

func testTenantUpdateAborts(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := mkTenant(t, s, "alpha", "a1.example")
	edits := []func(*model.Tenant){
		func(n *model.Tenant) { n.ID = "other" },
		func(n *model.Tenant) { n.CreatedAt = n.CreatedAt.Add(time.Microsecond) },
	}
	for _, edit := range edits {
		_, err := s.Tenants().Update(ctx, a.ID, func(old model.Tenant) (model.Tenant, error) {
			old.Name = "changed"
			edit(&old)
			return old, nil
		})
		if err == nil {
			t.Fatal("changing an immutable field: want error")
		}
	}
	_, err := s.Tenants().Update(ctx, a.ID, func(old model.Tenant) (model.Tenant, error) {
		old.Name, old.Hosts = "changed", []string{"new.example"}
		return old, errBoom
	})
	wantErr(t, err, errBoom)
	got, err := s.Tenants().Get(ctx, a.ID)
	ok(t, err)
	equal(t, got, a)
	_, err = s.Tenants().GetByHost(ctx, "new.example")
	wantErr(t, err, model.ErrNotFound)
}
