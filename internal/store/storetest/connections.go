package storetest

import (
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var connectionTests = []testCase{
	{"Connections/RoundTrip", testConnectionRoundTrip},
	{"Connections/Domains", testConnectionDomains},
	{"Connections/Update", testConnectionUpdate},
	{"Connections/Delete", testConnectionDelete},
}

// mkConnection stores a connection with every field set; it returns what a
// read gives back (domains lower-cased).
func mkConnection(t testing.TB, s store.Store, tenantID string, edit func(*model.Connection)) model.Connection {
	t.Helper()
	c := model.Connection{
		ID: newID(), TenantID: tenantID,
		ConnectionSettings: model.ConnectionSettings{
			Name:         "Acme Okta",
			DiscoveryURL: "https://acme.okta.example/.well-known/openid-configuration",
			Issuer:       "https://acme.okta.example", AuthorizationURL: "https://acme.okta.example/authorize",
			TokenURL: "https://acme.okta.example/token", JWKSURL: "https://acme.okta.example/keys",
			UserinfoURL: "https://acme.okta.example/userinfo", ClientID: "0oa1",
			Scopes: []string{"openid", "email", "profile"}, Domains: []string{newID() + ".example"},
			Claims: model.ClaimMapping{Email: "email", Name: "name", GivenName: "given_name", FamilyName: "family_name", Groups: "groups"},
			JIT:    true, JITStatus: model.StatusCurrent, TrustEmail: true, IssuerMode: model.IssuerEntraMultiTenant,
			EntraTenants: []model.EntraTenant{{ID: "tid-1", Domains: []string{"a.example", "b.example"}}, {ID: "tid-2"}},
			AuthMethod:   model.AuthClientSecretPost, FetchUserinfo: true,
			ShowButton: true, EmailFallbackClaims: []string{"preferred_username", "upn"},
		},
		ClientSecret: "v1.k1.c2VjcmV0",
		GroupMap:     []model.GroupMapping{{Upstream: "Engineering", GroupID: "g1"}},
		CreatedAt:    t0, UpdatedAt: t0,
	}
	if edit != nil {
		edit(&c)
	}
	ok(t, s.Connections().Create(t.Context(), c))
	got, err := s.Connections().Get(t.Context(), tenantID, c.ID)
	ok(t, err)
	return got
}

func testConnectionRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	full := mkConnection(t, s, tn.ID, func(c *model.Connection) { c.Domains = []string{"Acme.Example", "acme.example", "eu.acme.example"} })
	equal(t, full.Domains, []string{"acme.example", "eu.acme.example"})
	equal(t, full.GroupMap, []model.GroupMapping{{Upstream: "Engineering", GroupID: "g1"}})
	// Each tenant keeps its domains in order; one bound to none reads back nil.
	equal(t, full.EntraTenants, []model.EntraTenant{{ID: "tid-1", Domains: []string{"a.example", "b.example"}}, {ID: "tid-2"}})

	bare := model.Connection{ID: newID(), TenantID: tn.ID, ConnectionSettings: model.ConnectionSettings{Name: "Bare"},
		CreatedAt: t0.Add(time.Microsecond), UpdatedAt: t0}
	ok(t, s.Connections().Create(ctx, bare))
	got, err := s.Connections().Get(ctx, tn.ID, bare.ID)
	ok(t, err)
	equal(t, got, bare) // nil lists and maps read back nil
	wantErr(t, s.Connections().Create(ctx, bare), model.ErrConflict)

	all, err := s.Connections().List(ctx, tn.ID)
	ok(t, err)
	equal(t, all, []model.Connection{full, got})
	_, err = s.Connections().Get(ctx, tn.ID, "missing")
	wantErr(t, err, model.ErrNotFound)
	orphan := bare
	orphan.ID, orphan.TenantID = newID(), "no-such-tenant"
	wantErr(t, s.Connections().Create(ctx, orphan), model.ErrNotFound)
}

func testConnectionDomains(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	acme := mkConnection(t, s, a.ID, func(c *model.Connection) { c.Domains = []string{"acme.example"} })
	for _, d := range []string{"acme.example", "ACME.example"} {
		got, err := s.Connections().GetByDomain(ctx, a.ID, d)
		ok(t, err)
		equal(t, got, acme)
	}
	_, err := s.Connections().GetByDomain(ctx, a.ID, "other.example")
	wantErr(t, err, model.ErrNotFound)

	// A domain belongs to one connection per tenant; the failed create leaves nothing.
	clash := model.Connection{ID: newID(), TenantID: a.ID, ConnectionSettings: model.ConnectionSettings{Name: "Clash",
		Domains: []string{"new.example", "Acme.Example"}}, CreatedAt: t0}
	wantErr(t, s.Connections().Create(ctx, clash), model.ErrConflict)
	_, err = s.Connections().Get(ctx, a.ID, clash.ID)
	wantErr(t, err, model.ErrNotFound)
	_, err = s.Connections().GetByDomain(ctx, a.ID, "new.example")
	wantErr(t, err, model.ErrNotFound)

	// Another tenant may serve the same domain with its own connection.
	theirs := mkConnection(t, s, b.ID, func(c *model.Connection) { c.Domains = []string{"acme.example"} })
	got, err := s.Connections().GetByDomain(ctx, b.ID, "acme.example")
	ok(t, err)
	equal(t, got, theirs)
}

func testConnectionUpdate(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	one := mkConnection(t, s, tn.ID, func(c *model.Connection) { c.Domains = []string{"one.example"} })
	two := mkConnection(t, s, tn.ID, func(c *model.Connection) { c.Domains = []string{"two.example"} })

	_, err := s.Connections().Update(ctx, tn.ID, two.ID, func(c model.Connection) (model.Connection, error) {
		c.Domains, c.Name = []string{"two.example", "one.example"}, "Stolen"
		return c, nil
	})
	wantErr(t, err, model.ErrConflict)
	got, err := s.Connections().Get(ctx, tn.ID, two.ID)
	ok(t, err)
	equal(t, got, two) // nothing of the failed update stayed

	_, err = s.Connections().Update(ctx, tn.ID, one.ID, func(c model.Connection) (model.Connection, error) {
		expect(t, c, one)
		return c, errBoom
	})
	wantErr(t, err, errBoom)
	want := one
	want.Domains, want.Name, want.UpdatedAt = []string{"uno.example"}, "Renamed", t0.Add(time.Microsecond)
	want.GroupMap, want.Scopes, want.JIT = nil, []string{"openid"}, false
	want.EntraTenants = []model.EntraTenant{{ID: "tid-3", Domains: []string{"uno.example"}}}
	got, err = s.Connections().Update(ctx, tn.ID, one.ID, func(model.Connection) (model.Connection, error) { return want, nil })
	ok(t, err)
	equal(t, got, want)
	// one.example is free again, for another connection to claim.
	_, err = s.Connections().Update(ctx, tn.ID, two.ID, func(c model.Connection) (model.Connection, error) {
		c.Domains = append(c.Domains, "ONE.example")
		return c, nil
	})
	ok(t, err)
	byDomain, err := s.Connections().GetByDomain(ctx, tn.ID, "one.example")
	ok(t, err)
	equal(t, byDomain.ID, two.ID)

	_, err = s.Connections().Update(ctx, tn.ID, one.ID, func(c model.Connection) (model.Connection, error) {
		c.ID = "changed"
		return c, nil
	})
	if err == nil {
		t.Fatal("an update changed the id")
	}
	_, err = s.Connections().Update(ctx, tn.ID, "missing", mustNotCall[model.Connection](t))
	wantErr(t, err, model.ErrNotFound)
}

func testConnectionDelete(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	m := mkMember(t, s, tn.ID, "ada@acme.example")
	c := mkConnection(t, s, tn.ID, func(c *model.Connection) { c.Domains = []string{"acme.example"} })
	id := mkIdentity(t, s, c, m.ID)
	st := mkState(t, s, c, nil)
	link := mkSetupLink(t, s, c, nil)
	us := mkUpstreamSession(t, s, c, mkSession(t, s, tn.ID, m.ID, nil).ID)

	ok(t, s.Connections().Delete(ctx, tn.ID, c.ID))
	wantErr(t, s.Connections().Delete(ctx, tn.ID, c.ID), model.ErrNotFound)
	_, err := s.Connections().GetByDomain(ctx, tn.ID, "acme.example")
	wantErr(t, err, model.ErrNotFound)
	_, err = s.Identities().Get(ctx, tn.ID, c.ID, id.Issuer, id.Subject)
	wantErr(t, err, model.ErrNotFound)
	_, _, err = s.UpstreamStates().Consume(ctx, tn.ID, st.Hash, t0)
	wantErr(t, err, model.ErrNotFound)
	_, err = s.SetupLinks().Get(ctx, tn.ID, link.Hash)
	wantErr(t, err, model.ErrNotFound)
	_, err = s.UpstreamSessions().Get(ctx, tn.ID, us.SessionID)
	wantErr(t, err, model.ErrNotFound)
	// The member stays: only the link to the provider went.
	_, err = s.Members().Get(ctx, tn.ID, m.ID)
	ok(t, err)
	mkConnection(t, s, tn.ID, func(c *model.Connection) { c.Domains = []string{"acme.example"} })
}
