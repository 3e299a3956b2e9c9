package directory

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/password"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

// cheap keeps tests fast; the production cost is password.OWASP.
var cheap = password.Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

var clock = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type fixture struct {
	svc    *Service
	st     *sqlstore.Store
	tenant string
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	st := storetest.NewSQLite(t)
	ten := model.Tenant{ID: "t1", Slug: "default", Name: "default", Issuer: "https://localhost:8443", CreatedAt: clock, UpdatedAt: clock}
	if err := st.Tenants().Create(ctx, ten); err != nil {
		t.Fatal(err)
	}
	svc := &Service{
		Members: st.Members(), Groups: st.Groups(), Sessions: st.Sessions(), Audit: st.Audit(),
		Grants: st.Grants(), Clients: st.Clients(), Atomic: st.Atomic,
		Hasher: password.NewHasher(cheap), Now: func() time.Time { return clock },
	}
	return fixture{svc: svc, st: st, tenant: ten.ID}
}

func (f fixture) add(t *testing.T, in MemberInput) model.Member {
	t.Helper()
	m, err := f.svc.AddMember(context.Background(), "cli", f.tenant, in)
	if err != nil {
		t.Fatalf("AddMember(%+v): %v", in, err)
	}
	return m
}

// snapshot lists every member, to show a failed call changed nothing.
func (f fixture) snapshot(t *testing.T) []model.Member {
	t.Helper()
	p, err := f.svc.ListMembers(context.Background(), f.tenant, store.MemberQuery{Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	return p.Items
}

func (f fixture) events(t *testing.T) []model.AuditEvent {
	t.Helper()
	p, err := f.st.Audit().List(context.Background(), f.tenant, store.AuditQuery{Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	return p.Items
}

func (f fixture) startSession(t *testing.T, memberID string) string {
	t.Helper()
	s := model.Session{ID: "s-" + memberID, TenantID: f.tenant, MemberID: memberID, AuthTime: clock,
		CreatedAt: clock, LastSeenAt: clock, ExpiresAt: clock.Add(time.Hour)}
	if err := f.st.Sessions().Create(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	return s.ID
}

func (f fixture) sessionGone(t *testing.T, id string) bool {
	_, err := f.st.Sessions().Get(context.Background(), f.tenant, id)
	return errors.Is(err, model.ErrNotFound)
}

func wantMessage[E error](t *testing.T, err error, want string) {
	t.Helper()
	var target E
	if !errors.As(err, &target) {
		t.Fatalf("error = %v (%T), want %T", err, err, target)
	}
	if err.Error() != want {
		t.Fatalf("error = %q, want %q", err, want)
	}
}

func TestAddMemberStoresNormalisedMemberAndAudits(t *testing.T) {
	f := newFixture(t)
	m := f.add(t, MemberInput{Email: " Ada@Example.org ", Name: " Ada Lovelace ", GivenName: "Ada",
		LegacyID: "L-1", Admin: true, Password: "correct horse battery", Language: " DE "})
	got, err := f.svc.MemberByEmail(context.Background(), f.tenant, "ada@EXAMPLE.org")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != m.ID || got.Email != "Ada@Example.org" || got.Name != "Ada Lovelace" || got.Status != model.StatusCurrent ||
		!got.Admin || got.Disabled || got.LegacyID != "L-1" || got.Language != "de" || !got.CreatedAt.Equal(clock) {
		t.Fatalf("stored %+v", got)
	}
	ok, _, err := f.svc.Hasher.Verify(context.Background(), got.PasswordHash, "correct horse battery")
	if err != nil || !ok {
		t.Fatalf("password does not verify: %v", err)
	}
	ev := f.events(t)
	if len(ev) != 1 || ev[0].Action != "member.create" || ev[0].Actor != "cli" || ev[0].Target != "member:"+m.ID {
		t.Fatalf("audit = %+v", ev)
	}
}

func TestAddMemberRefusals(t *testing.T) {
	f := newFixture(t)
	f.add(t, MemberInput{Email: "ada@example.org", Name: "Ada"})
	before := f.snapshot(t)
	_, err := f.svc.AddMember(context.Background(), "cli", f.tenant, MemberInput{Email: "ADA@example.ORG", Name: "Other"})
	wantMessage[*problem.Conflict](t, err, "a member with email ADA@example.ORG already exists")
	_, err = f.svc.AddMember(context.Background(), "cli", f.tenant, MemberInput{Email: "bob@", Name: "Bob"})
	wantProblems(t, err, "email: ")
	if after := f.snapshot(t); len(after) != len(before) {
		t.Fatalf("members changed: %d -> %d", len(before), len(after))
	}
	if n := len(f.events(t)); n != 1 {
		t.Fatalf("%d audit events, want only the first create", n)
	}
}

func TestUpdateMemberChangesOnlyGivenFields(t *testing.T) {
	f := newFixture(t)
	m := f.add(t, MemberInput{Email: "ada@example.org", Name: "Ada", GivenName: "Ada", FamilyName: "Lovelace", EmailVerified: true})
	status := model.StatusExpired
	got, err := f.svc.UpdateMember(context.Background(), "cli", f.tenant, m.ID, MemberPatch{FamilyName: ptr(" King "), Status: &status})
	if err != nil {
		t.Fatal(err)
	}
	if got.FamilyName != "King" || got.Status != model.StatusExpired || got.GivenName != "Ada" || got.Name != "Ada" ||
		!got.EmailVerified || got.Email != m.Email {
		t.Fatalf("updated %+v", got)
	}
	if ev := f.events(t)[0]; ev.Action != "member.update" || ev.Detail["fields"] != "family_name,status" {
		t.Fatalf("audit = %+v", ev)
	}
}

func TestUpdateMemberRefusals(t *testing.T) {
	f := newFixture(t)
	a := f.add(t, MemberInput{Email: "ada@example.org", Name: "Ada"})
	f.add(t, MemberInput{Email: "bob@example.org", Name: "Bob"})
	before := f.snapshot(t)
	ctx := context.Background()
	_, err := f.svc.UpdateMember(ctx, "cli", f.tenant, a.ID, MemberPatch{Email: ptr("BOB@example.org")})
	wantMessage[*problem.Conflict](t, err, "a member with email BOB@example.org already exists")
	_, err = f.svc.UpdateMember(ctx, "cli", f.tenant, "no-such-id", MemberPatch{Name: ptr("X")})
	wantMessage[*problem.NotFound](t, err, "no member with id no-such-id")
	_, err = f.svc.UpdateMember(ctx, "cli", f.tenant, a.ID, MemberPatch{Name: ptr(""), Status: ptr(model.MemberStatus("x"))})
	wantProblems(t, err, "name: ", "status: ")
	after := f.snapshot(t)
	for i := range before {
		if before[i] != after[i] {
			t.Fatalf("member changed: %+v -> %+v", before[i], after[i])
		}
	}
}

func TestDisableEndsSessionsAndEnableRestores(t *testing.T) {
	f := newFixture(t)
	m := f.add(t, MemberInput{Email: "ada@example.org", Name: "Ada"})
	sid := f.startSession(t, m.ID)
	got, err := f.svc.DisableMember(context.Background(), "cli", f.tenant, m.ID)
	if err != nil || !got.Disabled {
		t.Fatalf("DisableMember = %+v, %v", got, err)
	}
	if !f.sessionGone(t, sid) {
		t.Fatal("session survived disable")
	}
	got, err = f.svc.EnableMember(context.Background(), "cli", f.tenant, m.ID)
	if err != nil || got.Disabled {
		t.Fatalf("EnableMember = %+v, %v", got, err)
	}
	if ev := f.events(t); ev[0].Action != "member.enable" || ev[1].Action != "member.disable" {
		t.Fatalf("audit = %+v", ev)
	}
}

func TestSetPassword(t *testing.T) {
	f := newFixture(t)
	m := f.add(t, MemberInput{Email: "ada@example.org", Name: "Ada", Password: "first password"})
	sid := f.startSession(t, m.ID)
	ctx := context.Background()
	err := f.svc.SetPassword(ctx, "cli", f.tenant, m.ID, "short")
	wantProblems(t, err, "password: password must be at least 8 characters")
	if f.sessionGone(t, sid) {
		t.Fatal("a refused password change ended the session")
	}
	if err := f.svc.SetPassword(ctx, "cli", f.tenant, m.ID, "second password"); err != nil {
		t.Fatal(err)
	}
	got, _ := f.svc.Member(ctx, f.tenant, m.ID)
	if ok, _, _ := f.svc.Hasher.Verify(ctx, got.PasswordHash, "second password"); !ok {
		t.Fatal("new password does not verify")
	}
	if !f.sessionGone(t, sid) {
		t.Fatal("session survived a password change")
	}
	for _, e := range f.events(t) {
		for k, v := range e.Detail {
			if strings.Contains(v, "password") || strings.Contains(v, "$argon2") {
				t.Fatalf("audit %s detail %s=%q holds password material", e.Action, k, v)
			}
		}
	}
}

func TestDeleteMember(t *testing.T) {
	f := newFixture(t)
	m := f.add(t, MemberInput{Email: "ada@example.org", Name: "Ada"})
	ctx := context.Background()
	if err := f.svc.DeleteMember(ctx, "cli", f.tenant, m.ID); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.MemberByEmail(ctx, f.tenant, "ada@example.org")
	wantMessage[*problem.NotFound](t, err, "no member with email ada@example.org")
	err = f.svc.DeleteMember(ctx, "cli", f.tenant, m.ID)
	wantMessage[*problem.NotFound](t, err, "no member with id "+m.ID)
	if ev := f.events(t)[0]; ev.Action != "member.delete" || ev.Detail["email"] != "ada@example.org" {
		t.Fatalf("audit = %+v", ev)
	}
}

func TestListMembersPagesAndSearches(t *testing.T) {
	f := newFixture(t)
	for _, e := range []string{"c@example.org", "a@example.org", "b@example.net"} {
		f.add(t, MemberInput{Email: e, Name: "N " + e})
	}
	ctx := context.Background()
	p1, err := f.svc.ListMembers(ctx, f.tenant, store.MemberQuery{Limit: 2})
	if err != nil || len(p1.Items) != 2 || p1.Next == "" || p1.Items[0].Email != "a@example.org" {
		t.Fatalf("page 1 = %+v, %v", p1, err)
	}
	p2, err := f.svc.ListMembers(ctx, f.tenant, store.MemberQuery{Limit: 2, After: p1.Next})
	if err != nil || len(p2.Items) != 1 || p2.Next != "" || p2.Items[0].Email != "c@example.org" {
		t.Fatalf("page 2 = %+v, %v", p2, err)
	}
	found, err := f.svc.ListMembers(ctx, f.tenant, store.MemberQuery{Search: " EXAMPLE.NET "})
	if err != nil || len(found.Items) != 1 || found.Items[0].Email != "b@example.net" {
		t.Fatalf("search = %+v, %v", found, err)
	}
	_, err = f.svc.ListMembers(ctx, f.tenant, store.MemberQuery{Limit: -1})
	wantProblems(t, err, "limit: must be between 1 and 500")
}
