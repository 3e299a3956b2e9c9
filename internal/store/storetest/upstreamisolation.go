package storetest

import (
	"testing"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var upstreamIsolationTests = []testCase{
	{"TenantIsolation/Upstream", testUpstreamIsolation},
}

// upstreamWorld is one tenant with a row of every upstream kind.
type upstreamWorld struct {
	tenant   model.Tenant
	member   model.Member
	conn     model.Connection
	identity model.Identity
	state    model.UpstreamState
	link     model.SetupLink
	session  model.UpstreamSession
}

func newUpstreamWorld(t *testing.T, s store.Store, slug string) upstreamWorld {
	w := upstreamWorld{tenant: mkTenant(t, s, slug)}
	w.member = mkMember(t, s, w.tenant.ID, "same@acme.example")
	w.conn = mkConnection(t, s, w.tenant.ID, func(c *model.Connection) { c.Domains = []string{"acme.example"} })
	w.identity = mkIdentity(t, s, w.conn, w.member.ID)
	w.state = mkState(t, s, w.conn, func(st *model.UpstreamState) { st.Hash = "same-state" })
	w.link = mkSetupLink(t, s, w.conn, func(l *model.SetupLink) { l.Hash = "same-link" })
	w.session = mkUpstreamSession(t, s, w.conn, mkSession(t, s, w.tenant.ID, w.member.ID, nil).ID)
	return w
}

// testUpstreamIsolation calls every upstream method with tenant A's id and
// tenant B's row ids: each finds nothing and B's rows stay as they were,
// unconsumed.
func testUpstreamIsolation(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := newUpstreamWorld(t, s, "alpha"), newUpstreamWorld(t, s, "beta")

	_, err := s.Connections().Get(ctx, a.tenant.ID, b.conn.ID)
	wantErr(t, err, model.ErrNotFound)
	got, err := s.Connections().GetByDomain(ctx, a.tenant.ID, "acme.example")
	ok(t, err)
	equal(t, got, a.conn)
	list, err := s.Connections().List(ctx, a.tenant.ID)
	ok(t, err)
	equal(t, list, []model.Connection{a.conn})
	_, err = s.Connections().Update(ctx, a.tenant.ID, b.conn.ID, mustNotCall[model.Connection](t))
	wantErr(t, err, model.ErrNotFound)
	wantErr(t, s.Connections().Delete(ctx, a.tenant.ID, b.conn.ID), model.ErrNotFound)

	_, err = s.Identities().Get(ctx, a.tenant.ID, b.conn.ID, b.identity.Issuer, b.identity.Subject)
	wantErr(t, err, model.ErrNotFound)
	ids, err := s.Identities().ListForMember(ctx, a.tenant.ID, b.member.ID)
	ok(t, err)
	equal(t, len(ids), 0)
	// A row naming tenant A cannot point at tenant B's member or connection.
	for _, bad := range []model.Identity{
		{TenantID: a.tenant.ID, ConnectionID: b.conn.ID, Issuer: "i", Subject: "s", MemberID: a.member.ID},
		{TenantID: a.tenant.ID, ConnectionID: a.conn.ID, Issuer: "i", Subject: "s", MemberID: b.member.ID},
	} {
		wantErr(t, s.Identities().Create(ctx, bad), model.ErrNotFound)
	}
	_, err = s.UpstreamSessions().Get(ctx, a.tenant.ID, b.session.SessionID)
	wantErr(t, err, model.ErrNotFound)
	_, err = s.SetupLinks().Get(ctx, a.tenant.ID, "missing")
	wantErr(t, err, model.ErrNotFound)

	// A's consumption of "same-state" and "same-link" uses A's rows only.
	st, first, err := s.UpstreamStates().Consume(ctx, a.tenant.ID, "same-state", t0)
	ok(t, err)
	equal(t, first, true)
	equal(t, st.ConnectionID, a.conn.ID)
	l, first, err := s.SetupLinks().Consume(ctx, a.tenant.ID, "same-link", t0)
	ok(t, err)
	equal(t, first, true)
	equal(t, l.ConnectionID, a.conn.ID)

	gotB, err := s.Connections().Get(ctx, b.tenant.ID, b.conn.ID)
	ok(t, err)
	equal(t, gotB, b.conn)
	lb, err := s.SetupLinks().Get(ctx, b.tenant.ID, "same-link")
	ok(t, err)
	equal(t, lb, b.link)
	_, first, err = s.UpstreamStates().Consume(ctx, b.tenant.ID, "same-state", t0)
	ok(t, err)
	equal(t, first, true)
	idB, err := s.Identities().Get(ctx, b.tenant.ID, b.conn.ID, b.identity.Issuer, b.identity.Subject)
	ok(t, err)
	equal(t, idB, b.identity)
}
