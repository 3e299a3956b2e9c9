package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var clientTests = []testCase{
	{"Clients/CRUD", testClientCRUD},
	{"Clients/EmptyLists", testClientEmptyLists},
	{"Clients/CaseInsensitiveID", testClientCaseInsensitiveID},
	{"Clients/UpdateAborts", testClientUpdateAborts},
	{"Clients/ListByGroup", testClientListByGroup},
	{"Clients/Version", testClientVersion},
	{"Clients/OmitAuthorizationResponseIss", testClientOmitIss},
	{"Clients/ModernOAuth", testClientModernOAuth},
}

func testClientCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	zone := time.FixedZone("Z", 2*3600)
	in := model.Client{
		ID: newClientID(), TenantID: tn.ID, Name: "Événements ✓",
		RedirectURIs:           []string{"https://a.example/cb", "http://localhost:8080/cb?x=1"},
		PostLogoutRedirectURIs: []string{"https://a.example/bye"},
		PermittedGroups:        []string{"g1", "g2"}, IDTokenAlg: model.AlgHS256,
		BackchannelLogoutURI: "https://a.example/bcl", GrantTypes: []string{model.GrantClientCredentials},
		Public: true, GroupsClaim: true,
		Secrets: []model.ClientSecret{
			{Ciphertext: "v1.k2.new", CreatedAt: t0.Add(time.Hour).In(zone)},
			{Ciphertext: "v1.k1.old", CreatedAt: t0, ExpiresAt: t0.Add(25*time.Hour + 789)},
		},
		CreatedAt: t0, UpdatedAt: t0.Add(time.Second),
	}
	ok(t, s.Clients().Create(ctx, in))
	want := in
	want.Secrets = []model.ClientSecret{
		{Ciphertext: "v1.k2.new", CreatedAt: t0.Add(time.Hour)},                     // UTC
		{Ciphertext: "v1.k1.old", CreatedAt: t0, ExpiresAt: t0.Add(25 * time.Hour)}, // whole µs
	}
	got, err := s.Clients().Get(ctx, tn.ID, in.ID)
	ok(t, err)
	equal(t, got, want)
	wantErr(t, s.Clients().Create(ctx, in), model.ErrConflict)
	wantErr(t, s.Clients().Create(ctx, model.Client{ID: newClientID(), TenantID: "missing"}), model.ErrNotFound)

	other := mkClient(t, s, tn.ID, func(c *model.Client) { c.CreatedAt = t0.Add(-time.Hour) })
	list, err := s.Clients().List(ctx, tn.ID)
	ok(t, err)
	equal(t, list, []model.Client{other, want}) // creation order

	next := want
	next.Name, next.RedirectURIs, next.PermittedGroups = "Renamed", []string{"https://b.example/cb"}, nil
	next.PostLogoutRedirectURIs, next.IDTokenAlg, next.BackchannelLogoutURI = nil, model.AlgEdDSA, ""
	next.GrantTypes, next.Public, next.GroupsClaim = []string{model.GrantImplicit}, false, false
	next.AllMembers = true
	next.Secrets = []model.ClientSecret{{Ciphertext: "v1.k3.rotated", CreatedAt: t0.Add(2 * time.Hour)}}
	next.UpdatedAt = t0.Add(2 * time.Hour)
	got, err = s.Clients().Update(ctx, tn.ID, in.ID, func(old model.Client) (model.Client, error) {
		expect(t, old, want)
		return next, nil
	})
	ok(t, err)
	equal(t, got, next)
	got, err = s.Clients().Get(ctx, tn.ID, in.ID)
	ok(t, err)
	equal(t, got, next)

	ok(t, s.Clients().Delete(ctx, tn.ID, in.ID))
	_, err = s.Clients().Get(ctx, tn.ID, in.ID)
	wantErr(t, err, model.ErrNotFound)
	wantErr(t, s.Clients().Delete(ctx, tn.ID, in.ID), model.ErrNotFound)
	_, err = s.Clients().Update(ctx, tn.ID, in.ID, mustNotCall[model.Client](t))
	wantErr(t, err, model.ErrNotFound)
	list, err = s.Clients().List(ctx, tn.ID)
	ok(t, err)
	equal(t, list, []model.Client{other})
}

// testClientEmptyLists pins the documented normalisation: nil and empty
// lists are stored alike and read back as nil.
func testClientEmptyLists(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	empty := mkClient(t, s, tn.ID, func(c *model.Client) {
		c.RedirectURIs, c.PostLogoutRedirectURIs = []string{}, []string{}
		c.PermittedGroups, c.GrantTypes, c.Secrets = []string{}, []string{}, []model.ClientSecret{}
	})
	none := mkClient(t, s, tn.ID, func(c *model.Client) {
		c.RedirectURIs, c.GrantTypes, c.Secrets = nil, nil, nil
	})
	for _, c := range []model.Client{empty, none} {
		want := c
		want.RedirectURIs, want.PostLogoutRedirectURIs, want.PermittedGroups = nil, nil, nil
		want.GrantTypes, want.Secrets = nil, nil
		got, err := s.Clients().Get(ctx, tn.ID, c.ID)
		ok(t, err)
		equal(t, got, want)
	}
}

func testClientCaseInsensitiveID(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	lower := "6f1c2b9e-8d4a-4c1e-9b7a-1f2e3d4c5b6a"
	upper := strings.ToUpper(lower)
	in := mkClient(t, s, tn.ID, func(c *model.Client) { c.ID = upper })
	want := in
	want.ID = lower
	for _, id := range []string{lower, upper, "6F1C2B9E-8d4a-4C1E-9b7a-1F2E3D4C5B6A"} {
		got, err := s.Clients().Get(ctx, tn.ID, id)
		ok(t, err)
		equal(t, got, want)
	}
	dup := in
	dup.ID = lower
	wantErr(t, s.Clients().Create(ctx, dup), model.ErrConflict)
	_, err := s.Clients().Get(ctx, tn.ID, " "+lower)
	wantErr(t, err, model.ErrNotFound)

	got, err := s.Clients().Update(ctx, tn.ID, upper, func(old model.Client) (model.Client, error) {
		expect(t, old, want)
		old.Name = "renamed"
		return old, nil
	})
	ok(t, err)
	equal(t, got.Name, "renamed")
	g := mkGrant(t, s, tn.ID, upper, "", "", nil) // grants name clients the same way
	gotGrant, err := s.Grants().Get(ctx, tn.ID, g.ID)
	ok(t, err)
	equal(t, gotGrant.ClientID, lower)

	ok(t, s.Clients().Delete(ctx, tn.ID, "6F1C2B9E-8D4A-4c1e-9B7A-1f2e3d4c5b6a"))
	_, err = s.Clients().Get(ctx, tn.ID, lower)
	wantErr(t, err, model.ErrNotFound)
}

func testClientUpdateAborts(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	other := mkTenant(t, s, "beta")
	c := mkClient(t, s, tn.ID, nil)
	v := clientVersion(t, s)
	edits := []func(*model.Client){
		func(n *model.Client) { n.ID = newClientID() },
		func(n *model.Client) { n.ID = strings.ToUpper(n.ID) },
		func(n *model.Client) { n.TenantID = other.ID },
		func(n *model.Client) { n.CreatedAt = n.CreatedAt.Add(time.Microsecond) },
	}
	for i, edit := range edits {
		_, err := s.Clients().Update(ctx, tn.ID, c.ID, func(old model.Client) (model.Client, error) {
			old.Name = "changed"
			edit(&old)
			return old, nil
		})
		if err == nil {
			t.Fatalf("edit %d changed an immutable field: want error", i)
		}
	}
	_, err := s.Clients().Update(ctx, tn.ID, c.ID, func(old model.Client) (model.Client, error) {
		old.Name, old.RedirectURIs = "changed", []string{"https://evil.example/cb"}
		return old, fmt.Errorf("wrapped: %w", errBoom)
	})
	wantErr(t, err, errBoom)
	got, err := s.Clients().Get(ctx, tn.ID, c.ID)
	ok(t, err)
	equal(t, got, c)
	list, err := s.Clients().List(ctx, other.ID)
	ok(t, err)
	equal(t, len(list), 0)
	equal(t, clientVersion(t, s), v)
}

func testClientListByGroup(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	g1, g2 := mkGroup(t, s, tn.ID, "Staff"), mkGroup(t, s, tn.ID, "Board")
	only1 := mkClient(t, s, tn.ID, func(c *model.Client) { c.PermittedGroups = []string{g1.ID} })
	both := mkClient(t, s, tn.ID, func(c *model.Client) {
		c.PermittedGroups, c.CreatedAt = []string{g2.ID, g1.ID}, t0.Add(time.Second)
	})
	mkClient(t, s, tn.ID, nil) // open to everyone: names no group
	for _, tc := range []struct {
		group string
		want  []model.Client
	}{{g1.ID, []model.Client{only1, both}}, {g2.ID, []model.Client{both}}, {"missing", nil}, {"", nil}} {
		got, err := s.Clients().ListByGroup(ctx, tn.ID, tc.group)
		ok(t, err)
		equal(t, got, tc.want)
	}
}

// testClientVersion: every successful write raises the version; reads and
// failed writes do not. The version spans tenants.
func testClientVersion(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	v := clientVersion(t, s)
	step := func(what string, wantRaise bool, fn func()) {
		t.Helper()
		fn()
		now := clientVersion(t, s)
		if raised := now > v; raised != wantRaise || now < v {
			t.Fatalf("%s: version %d → %d, want raised=%v", what, v, now, wantRaise)
		}
		v = now
	}
	var c model.Client
	step("create", true, func() { c = mkClient(t, s, a.ID, nil) })
	step("create in another tenant", true, func() { mkClient(t, s, b.ID, nil) })
	step("reads", false, func() {
		_, _ = s.Clients().Get(ctx, a.ID, c.ID)
		_, _ = s.Clients().List(ctx, a.ID)
		_, _ = s.Clients().ListByGroup(ctx, a.ID, "g")
	})
	step("update", true, func() {
		_, err := s.Clients().Update(ctx, a.ID, c.ID, func(o model.Client) (model.Client, error) { return o, nil })
		ok(t, err)
	})
	step("failed writes", false, func() {
		wantErr(t, s.Clients().Create(ctx, c), model.ErrConflict)
		_, err := s.Clients().Update(ctx, a.ID, c.ID, func(o model.Client) (model.Client, error) { return o, errBoom })
		wantErr(t, err, errBoom)
		wantErr(t, s.Clients().Delete(ctx, b.ID, c.ID), model.ErrNotFound)
	})
	step("delete", true, func() { ok(t, s.Clients().Delete(ctx, a.ID, c.ID)) })
}
