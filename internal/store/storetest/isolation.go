package storetest

import (
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var isolationTests = []testCase{
	{"TenantIsolation", testTenantIsolation},
}

// world is one tenant with a row of every kind, all named alike in every
// tenant so that only the tenant id can tell them apart.
type world struct {
	tenant  model.Tenant
	member  model.Member
	group   model.Group
	session model.Session
}

func newWorld(t *testing.T, s store.Store, slug string) world {
	w := world{tenant: mkTenant(t, s, slug)}
	w.member = mkMember(t, s, w.tenant.ID, "same@example.com")
	w.group = mkGroup(t, s, w.tenant.ID, "Staff")
	ok(t, s.Groups().AddMember(t.Context(), w.tenant.ID, w.group.ID, w.member.ID))
	w.session = mkSession(t, s, w.tenant.ID, w.member.ID, nil)
	_, err := s.Throttles().Update(t.Context(), w.tenant.ID, "acct:same@example.com",
		func(c model.ThrottleCounter) (model.ThrottleCounter, error) {
			c.Tokens, c.UpdatedAt = 5, t0
			return c, nil
		})
	ok(t, err)
	appendEvents(t, s, w.tenant.ID, model.AuditEvent{Actor: "member:" + w.member.ID, Action: "login.success"})
	return w
}

// snapshot is everything a tenant can read, to prove another tenant's calls
// changed none of it.
type snapshot struct {
	tenant   model.Tenant
	members  []model.Member
	groups   []model.Group
	inGroup  []model.Member
	ofMember []model.Group
	session  model.Session
	audit    []model.AuditEvent
}

func snap(t *testing.T, s store.Store, w world) snapshot {
	t.Helper()
	ctx := t.Context()
	var sn snapshot
	var err error
	sn.tenant, err = s.Tenants().Get(ctx, w.tenant.ID)
	ok(t, err)
	sn.members = walk(t, func(q store.MemberQuery) (store.Page[model.Member], error) {
		return s.Members().List(ctx, w.tenant.ID, q)
	}, store.MemberQuery{})
	sn.groups, err = s.Groups().List(ctx, w.tenant.ID)
	ok(t, err)
	sn.inGroup = walk(t, func(q store.MemberQuery) (store.Page[model.Member], error) {
		return s.Groups().ListMembers(ctx, w.tenant.ID, w.group.ID, q)
	}, store.MemberQuery{})
	sn.ofMember, err = s.Groups().ListForMember(ctx, w.tenant.ID, w.member.ID)
	ok(t, err)
	sn.session, err = s.Sessions().Get(ctx, w.tenant.ID, w.session.ID)
	ok(t, err)
	sn.audit = listAudit(t, s, w.tenant.ID, store.AuditQuery{})
	return sn
}

// testTenantIsolation calls every tenant-scoped method with tenant A's id and
// tenant B's row ids: each must find nothing, and B must be left unchanged.
func testTenantIsolation(t *testing.T, s store.Store) {
	a, b := newWorld(t, s, "alpha"), newWorld(t, s, "beta")
	beforeA, beforeB := snap(t, s, a), snap(t, s, b)

	t.Run("reads", func(t *testing.T) { isolatedReads(t, s, a, b) })
	t.Run("writes", func(t *testing.T) { isolatedWrites(t, s, a, b) })
	t.Run("memberships", func(t *testing.T) { isolatedMemberships(t, s, a, b) })
	t.Run("sessions", func(t *testing.T) { isolatedSessions(t, s, a, b) })
	t.Run("throttles", func(t *testing.T) { isolatedThrottles(t, s, a, b) })

	equal(t, snap(t, s, a), beforeA)
	equal(t, snap(t, s, b), beforeB)
}

func isolatedReads(t *testing.T, s store.Store, a, b world) {
	ctx := t.Context()
	_, err := s.Members().Get(ctx, a.tenant.ID, b.member.ID)
	wantErr(t, err, model.ErrNotFound)
	m, err := s.Members().GetByEmail(ctx, a.tenant.ID, "SAME@example.com")
	ok(t, err)
	equal(t, m, a.member)
	p, err := s.Members().List(ctx, a.tenant.ID, store.MemberQuery{Search: "same"})
	ok(t, err)
	equal(t, p.Items, []model.Member{a.member})

	_, err = s.Groups().Get(ctx, a.tenant.ID, b.group.ID)
	wantErr(t, err, model.ErrNotFound)
	g, err := s.Groups().GetByName(ctx, a.tenant.ID, "staff")
	ok(t, err)
	equal(t, g, a.group)
	gs, err := s.Groups().List(ctx, a.tenant.ID)
	ok(t, err)
	equal(t, gs, []model.Group{a.group})
	gs, err = s.Groups().ListForMember(ctx, a.tenant.ID, b.member.ID)
	ok(t, err)
	equal(t, len(gs), 0)
	p, err = s.Groups().ListMembers(ctx, a.tenant.ID, b.group.ID, store.MemberQuery{})
	ok(t, err)
	equal(t, len(p.Items), 0)

	_, err = s.Sessions().Get(ctx, a.tenant.ID, b.session.ID)
	wantErr(t, err, model.ErrNotFound)
	events := listAudit(t, s, a.tenant.ID, store.AuditQuery{})
	equal(t, len(events), 1)
	equal(t, events[0].Actor, "member:"+a.member.ID)
	events = listAudit(t, s, a.tenant.ID, store.AuditQuery{Actor: "member:" + b.member.ID})
	equal(t, len(events), 0)
}

func isolatedWrites(t *testing.T, s store.Store, a, b world) {
	ctx := t.Context()
	_, err := s.Members().Update(ctx, a.tenant.ID, b.member.ID, mustNotCall[model.Member](t))
	wantErr(t, err, model.ErrNotFound)
	wantErr(t, s.Members().Delete(ctx, a.tenant.ID, b.member.ID), model.ErrNotFound)
	_, err = s.Groups().Update(ctx, a.tenant.ID, b.group.ID, mustNotCall[model.Group](t))
	wantErr(t, err, model.ErrNotFound)
	wantErr(t, s.Groups().Delete(ctx, a.tenant.ID, b.group.ID), model.ErrNotFound)

	// A row naming tenant A cannot point at tenant B's rows.
	orphan := model.Session{ID: newID(), TenantID: a.tenant.ID, MemberID: b.member.ID, ExpiresAt: t0.Add(time.Hour)}
	wantErr(t, s.Sessions().Create(ctx, orphan), model.ErrNotFound)
	_, err = s.Sessions().Get(ctx, a.tenant.ID, orphan.ID)
	wantErr(t, err, model.ErrNotFound)
}

func isolatedMemberships(t *testing.T, s store.Store, a, b world) {
	ctx := t.Context()
	for _, pair := range [][2]string{
		{b.group.ID, b.member.ID}, {a.group.ID, b.member.ID}, {b.group.ID, a.member.ID},
	} {
		wantErr(t, s.Groups().AddMember(ctx, a.tenant.ID, pair[0], pair[1]), model.ErrNotFound)
	}
	wantErr(t, s.Groups().RemoveMember(ctx, a.tenant.ID, b.group.ID, b.member.ID), model.ErrNotFound)
	wantErr(t, s.Groups().RemoveMember(ctx, a.tenant.ID, a.group.ID, b.member.ID), model.ErrNotFound)
}

func isolatedSessions(t *testing.T, s store.Store, a, b world) {
	ctx := t.Context()
	ok(t, s.Sessions().Touch(ctx, a.tenant.ID, b.session.ID, t0.Add(time.Hour)))
	ok(t, s.Sessions().Delete(ctx, a.tenant.ID, b.session.ID))
	ok(t, s.Sessions().DeleteForMember(ctx, a.tenant.ID, b.member.ID))
}

func isolatedThrottles(t *testing.T, s store.Store, a, b world) {
	ctx := t.Context()
	mine := model.ThrottleCounter{TenantID: a.tenant.ID, Key: "acct:same@example.com", Tokens: 5, UpdatedAt: t0}
	_, err := s.Throttles().Update(ctx, a.tenant.ID, mine.Key, setTokens(t, mine, 5, t0))
	ok(t, err)
	fresh := model.ThrottleCounter{TenantID: a.tenant.ID, Key: "only-in-b"}
	_, err = s.Throttles().Update(ctx, b.tenant.ID, "only-in-b", func(c model.ThrottleCounter) (model.ThrottleCounter, error) {
		c.Tokens, c.UpdatedAt = 7, t0
		return c, nil
	})
	ok(t, err)
	_, err = s.Throttles().Update(ctx, a.tenant.ID, "only-in-b", func(c model.ThrottleCounter) (model.ThrottleCounter, error) {
		expect(t, c, fresh)
		return c, errBoom
	})
	wantErr(t, err, errBoom)
	theirs := model.ThrottleCounter{TenantID: b.tenant.ID, Key: "acct:same@example.com", Tokens: 5, UpdatedAt: t0}
	_, err = s.Throttles().Update(ctx, b.tenant.ID, theirs.Key, setTokens(t, theirs, 5, t0))
	ok(t, err)
}
