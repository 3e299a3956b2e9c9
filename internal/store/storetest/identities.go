package storetest

import (
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var identityTests = []testCase{
	{"Identities/Link", testIdentityLink},
	{"Identities/GoWithMember", testIdentityGoesWithMember},
	{"UpstreamSessions/RoundTrip", testUpstreamSessions},
}

func mkIdentity(t testing.TB, s store.Store, c model.Connection, memberID string) model.Identity {
	t.Helper()
	id := model.Identity{TenantID: c.TenantID, ConnectionID: c.ID, Issuer: "https://acme.okta.example",
		Subject: newID(), MemberID: memberID, CreatedAt: t0}
	ok(t, s.Identities().Create(t.Context(), id))
	return id
}

func mkUpstreamSession(t testing.TB, s store.Store, c model.Connection, sessionID string) model.UpstreamSession {
	t.Helper()
	us := model.UpstreamSession{TenantID: c.TenantID, SessionID: sessionID, ConnectionID: c.ID,
		IDToken: "v1.k1.aWQtdG9rZW4", CreatedAt: t0}
	ok(t, s.UpstreamSessions().Create(t.Context(), us))
	return us
}

func testIdentityLink(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	ada, bob := mkMember(t, s, tn.ID, "ada@acme.example"), mkMember(t, s, tn.ID, "bob@acme.example")
	c := mkConnection(t, s, tn.ID, nil)
	first := mkIdentity(t, s, c, ada.ID)
	got, err := s.Identities().Get(ctx, tn.ID, c.ID, first.Issuer, first.Subject)
	ok(t, err)
	equal(t, got, first)

	// One upstream account, one member: a second link of the key is refused
	// whoever it names.
	again := first
	again.MemberID = bob.ID
	wantErr(t, s.Identities().Create(ctx, again), model.ErrConflict)
	// The same subject at another issuer is another account.
	other := first
	other.Issuer, other.CreatedAt = "https://login.example/tid-2/v2.0", t0.Add(time.Second)
	ok(t, s.Identities().Create(ctx, other))
	list, err := s.Identities().ListForMember(ctx, tn.ID, ada.ID)
	ok(t, err)
	equal(t, list, []model.Identity{first, other})

	for _, bad := range []model.Identity{
		{TenantID: tn.ID, ConnectionID: c.ID, Issuer: "i", Subject: "s", MemberID: "missing"},
		{TenantID: tn.ID, ConnectionID: "missing", Issuer: "i", Subject: "s", MemberID: ada.ID},
	} {
		wantErr(t, s.Identities().Create(ctx, bad), model.ErrNotFound)
	}
	_, err = s.Identities().Get(ctx, tn.ID, c.ID, first.Issuer, "missing")
	wantErr(t, err, model.ErrNotFound)
}

func testIdentityGoesWithMember(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	m := mkMember(t, s, tn.ID, "ada@acme.example")
	c := mkConnection(t, s, tn.ID, nil)
	id := mkIdentity(t, s, c, m.ID)
	ok(t, s.Members().Delete(ctx, tn.ID, m.ID))
	_, err := s.Identities().Get(ctx, tn.ID, c.ID, id.Issuer, id.Subject)
	wantErr(t, err, model.ErrNotFound)
}

func testUpstreamSessions(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	m := mkMember(t, s, tn.ID, "ada@acme.example")
	c := mkConnection(t, s, tn.ID, nil)
	ss := mkSession(t, s, tn.ID, m.ID, nil)
	us := mkUpstreamSession(t, s, c, ss.ID)
	got, err := s.UpstreamSessions().Get(ctx, tn.ID, ss.ID)
	ok(t, err)
	equal(t, got, us)
	wantErr(t, s.UpstreamSessions().Create(ctx, us), model.ErrConflict)
	orphan := us
	orphan.SessionID = "missing"
	wantErr(t, s.UpstreamSessions().Create(ctx, orphan), model.ErrNotFound)

	// It ends with its session, however the session ends.
	ok(t, s.Sessions().Delete(ctx, tn.ID, ss.ID))
	_, err = s.UpstreamSessions().Get(ctx, tn.ID, ss.ID)
	wantErr(t, err, model.ErrNotFound)
	expired := mkSession(t, s, tn.ID, m.ID, func(x *model.Session) { x.ExpiresAt = t0 })
	mkUpstreamSession(t, s, c, expired.ID)
	_, err = s.Sessions().DeleteExpired(ctx, t0.Add(time.Second), t0.Add(-time.Hour))
	ok(t, err)
	_, err = s.UpstreamSessions().Get(ctx, tn.ID, expired.ID)
	wantErr(t, err, model.ErrNotFound)
}
