package sqlstore_test

import (
	"crypto/rand"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

// TestPostgresTokenAccessTogether: many TokenAccess reads at once (read
// several keys to a statement on PostgreSQL) each get the answer their
// key gets alone: a member with groups (in order) or none, a revoked
// grant, a revoked jti, a disabled member, a grant without a member, an
// unknown grant and another tenant's grant (not found), with and without
// groups.
func TestPostgresTokenAccessTogether(t *testing.T) {
	s := storetest.NewPostgres(t)
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Microsecond)
	tn := oneTenant(t, s, now)
	other := model.Tenant{ID: "t-2", Slug: "two", Name: "Two", Issuer: "https://two.idp.example",
		AfterLogoutURL: "https://two.example/", CreatedAt: now, UpdatedAt: now}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.Tenants().Create(ctx, other))
	member := func(tenant, email string, disabled bool) model.Member {
		m := model.Member{ID: rand.Text(), TenantID: tenant, Email: email, Name: "N " + email, Status: model.StatusCurrent,
			Disabled: disabled, CreatedAt: now, UpdatedAt: now}
		must(s.Members().Create(ctx, m))
		return m
	}
	client := func(tenant string) model.Client {
		c := model.Client{ID: rand.Text(), TenantID: tenant, Name: "RP", RedirectURIs: []string{"https://rp.example/cb"},
			IDTokenAlg: model.AlgRS256, GrantTypes: []string{model.GrantAuthorizationCode},
			Secrets: []model.ClientSecret{{Ciphertext: "v1.k1.c2VjcmV0", CreatedAt: now}}, CreatedAt: now, UpdatedAt: now}
		must(s.Clients().Create(ctx, c))
		return c
	}
	grant := func(tenant, clientID, memberID string) string {
		g := model.Grant{ID: rand.Text(), TenantID: tenant, ClientID: clientID, MemberID: memberID, Scopes: []string{"openid"},
			AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		must(s.Grants().Create(ctx, g))
		return g.ID
	}
	c, oc := client(tn.ID), client(other.ID)
	ada, bob, cy := member(tn.ID, "ada@example.org", false), member(tn.ID, "bob@example.org", false), member(tn.ID, "cy@example.org", true)
	for _, name := range []string{"Zeta", "alpha", "Mid"} {
		g := model.Group{ID: rand.Text(), TenantID: tn.ID, Name: name, CreatedAt: now, UpdatedAt: now}
		must(s.Groups().Create(ctx, g))
		must(s.Groups().AddMember(ctx, tn.ID, g.ID, ada.ID))
	}
	revokedGrant := grant(tn.ID, c.ID, bob.ID)
	must(s.Grants().Revoke(ctx, tn.ID, revokedGrant, now))
	revokedJTI := rand.Text()
	must(s.Revocations().Revoke(ctx, tn.ID, revokedJTI, now.Add(time.Hour)))
	type key struct {
		tenant, grant, jti string
		withGroups         bool
	}
	var keys []key
	for _, g := range []struct{ tenant, id string }{
		{tn.ID, grant(tn.ID, c.ID, ada.ID)}, {tn.ID, grant(tn.ID, c.ID, bob.ID)}, {tn.ID, grant(tn.ID, c.ID, cy.ID)},
		{tn.ID, revokedGrant}, {tn.ID, grant(tn.ID, c.ID, "")}, {tn.ID, "no-such-grant"},
		{tn.ID, grant(other.ID, oc.ID, member(other.ID, "ada@example.org", false).ID)},
	} {
		for _, jti := range []string{rand.Text(), revokedJTI} {
			for _, wg := range []bool{false, true} {
				keys = append(keys, key{g.tenant, g.id, jti, wg})
			}
		}
	}
	type answer struct {
		a   store.TokenAccess
		err error
	}
	want := make([]answer, len(keys)) // each read alone
	for i, k := range keys {
		a, err := s.Grants().TokenAccess(ctx, k.tenant, k.grant, k.jti, k.withGroups)
		if err != nil && !errors.Is(err, model.ErrNotFound) {
			t.Fatal(err)
		}
		want[i] = answer{a, err}
	}
	if g := want[1].a.Groups; len(g) != 3 || g[0].Name != "alpha" || g[1].Name != "Mid" || g[2].Name != "Zeta" || !want[3].a.Revoked {
		t.Fatalf("ada's access alone: %+v, want her three groups in order, then the revoked jti", want[1:4])
	}

	const rounds = 8
	got := make([]answer, rounds*len(keys))
	var wg sync.WaitGroup
	for i := range got {
		k := keys[i%len(keys)]
		wg.Go(func() {
			a, err := s.Grants().TokenAccess(ctx, k.tenant, k.grant, k.jti, k.withGroups)
			got[i] = answer{a, err}
		})
	}
	wg.Wait()
	if s.GroupedAccessReads() == 0 {
		t.Fatal("no statement read more than one key: the test did not exercise groups")
	}
	for i, g := range got {
		w := want[i%len(keys)]
		if !reflect.DeepEqual(g.a, w.a) || errors.Is(g.err, model.ErrNotFound) != errors.Is(w.err, model.ErrNotFound) ||
			(g.err == nil) != (w.err == nil) {
			t.Errorf("key %+v read together: %+v, %v\nalone: %+v, %v", keys[i%len(keys)], g.a, g.err, w.a, w.err)
		}
	}
}
