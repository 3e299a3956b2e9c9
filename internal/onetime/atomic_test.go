package onetime

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

// hookStore runs beforeUpdate (beforeCreate), when set, inside the
// transaction before each member update (creation) made through Atomic: a
// test makes the directory change fail there, as a race or a failing disk
// would. beforeLink and beforeEnqueue do the same before each link stored
// and each outbox item queued.
type hookStore struct {
	store.Store
	beforeUpdate, beforeCreate, beforeLink, beforeEnqueue, beforeAudit func(ctx context.Context, tx store.Tx) error
}

func (s *hookStore) Atomic(ctx context.Context, fn func(tx store.Tx) error) error {
	return s.Store.Atomic(ctx, func(tx store.Tx) error { return fn(hookTx{tx, s}) })
}

type hookTx struct {
	store.Tx
	s *hookStore
}

func (tx hookTx) Members() store.Members { return hookMembers{tx.Tx.Members(), tx} }

func (tx hookTx) OneTimeLinks() store.OneTimeLinks { return hookLinks{tx.Tx.OneTimeLinks(), tx} }

func (tx hookTx) Outbox() store.Outbox { return hookOutbox{tx.Tx.Outbox(), tx} }

func (tx hookTx) Audit() store.Audit { return hookAudit{tx.Tx.Audit(), tx} }

type hookAudit struct {
	store.Audit
	tx hookTx
}

func (a hookAudit) Append(ctx context.Context, e model.AuditEvent) error {
	if err := a.tx.run(ctx, a.tx.s.beforeAudit); err != nil {
		return err
	}
	return a.Audit.Append(ctx, e)
}

// run runs the hook h, when set, in the transaction.
func (tx hookTx) run(ctx context.Context, h func(context.Context, store.Tx) error) error {
	if h == nil {
		return nil
	}
	return h(ctx, tx.Tx)
}

type hookLinks struct {
	store.OneTimeLinks
	tx hookTx
}

func (l hookLinks) Create(ctx context.Context, link model.OneTimeLink) error {
	if err := l.tx.run(ctx, l.tx.s.beforeLink); err != nil {
		return err
	}
	return l.OneTimeLinks.Create(ctx, link)
}

type hookOutbox struct {
	store.Outbox
	tx hookTx
}

func (o hookOutbox) Enqueue(ctx context.Context, it model.OutboxItem) (int64, error) {
	if err := o.tx.run(ctx, o.tx.s.beforeEnqueue); err != nil {
		return 0, err
	}
	return o.Outbox.Enqueue(ctx, it)
}

type hookMembers struct {
	store.Members
	tx hookTx
}

func (m hookMembers) Update(ctx context.Context, tenantID, id string, fn func(model.Member) (model.Member, error)) (model.Member, error) {
	if h := m.tx.s.beforeUpdate; h != nil {
		if err := h(ctx, m.tx.Tx); err != nil {
			return model.Member{}, err
		}
	}
	return m.Members.Update(ctx, tenantID, id, fn)
}

func (m hookMembers) Create(ctx context.Context, mem model.Member) error {
	if h := m.tx.s.beforeCreate; h != nil {
		if err := h(ctx, m.tx.Tx); err != nil {
			return err
		}
	}
	return m.Members.Create(ctx, mem)
}

// withHook routes the service's and its directory's transactions through
// a hookStore.
func (f *fixture) withHook() *hookStore {
	h := &hookStore{Store: f.st}
	f.svc.Atomic, f.svc.Dir.Atomic = h.Atomic, h.Atomic
	return h
}

// wantUnused fails unless the link named by token is unused and no use of
// it (action) was recorded.
func wantUnused(t *testing.T, f *fixture, token, action string) {
	t.Helper()
	l, err := f.st.OneTimeLinks().Get(t.Context(), "t1", ids.Hash(token))
	must(t, err)
	if !l.UsedAt.IsZero() {
		t.Fatal("the link was used up by a change that did not happen")
	}
	p, err := f.st.Audit().List(t.Context(), "t1", store.AuditQuery{Action: action})
	must(t, err)
	if len(p.Items) != 0 {
		t.Fatalf("%s recorded for a change that did not happen", action)
	}
}

// TestConfirmEmailRaceKeepsLink: another member takes the new address
// after the check and before the change (the unique index refuses it):
// the member is told the address is taken, and the link is not used, so
// it works once the address is free again.
func TestConfirmEmailRaceKeepsLink(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) { testConfirmEmailRaceKeepsLink(t, newFixtureOn(t, b.New(t))) })
	}
}

func testConfirmEmailRaceKeepsLink(t *testing.T, f *fixture) {
	f.withMail(t)
	withNotices(f)
	ctx := t.Context()
	ada := f.addMember(t, "ada@example.org", pw)
	must(t, f.svc.RequestEmailChange(ctx, "", bakers, ada, "two@example.org", pw))
	token := tokenIn(t, f.mails(t)[0])

	h := f.withHook()
	h.beforeUpdate = func(ctx context.Context, tx store.Tx) error {
		return tx.Members().Create(ctx, model.Member{ID: "bob", TenantID: "t1", Email: "TWO@example.org", Name: "Bob",
			Status: model.StatusCurrent, CreatedAt: f.now, UpdatedAt: f.now})
	}
	_, err := f.svc.ConfirmEmail(ctx, "t1", token)
	if c, ok := errors.AsType[*problem.Conflict](err); !ok || !strings.HasPrefix(c.Msg, "another account uses two@example.org") {
		t.Fatalf("a taken address: %v", err)
	}
	wantUnused(t, f, token, "member.email.change_link.use")
	if m := f.member(t, ada.ID); m.Email != "ada@example.org" {
		t.Fatalf("address %s", m.Email)
	}

	h.beforeUpdate = nil // the other member's change rolled back with ours
	if m, err := f.svc.ConfirmEmail(ctx, "t1", token); err != nil || m.Email != "two@example.org" {
		t.Fatalf("once the address is free: %+v, %v", m, err)
	}
}

// TestResetFailureKeepsLink: a reset whose password cannot be stored
// leaves the link unused and the password as it was; the link works
// afterwards.
func TestResetFailureKeepsLink(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) { testResetFailureKeepsLink(t, newFixtureOn(t, b.New(t))) })
	}
}

func testResetFailureKeepsLink(t *testing.T, f *fixture) {
	ctx := t.Context()
	ada := f.addMember(t, "ada@example.org", pw)
	token, _, err := f.svc.ResetLink(ctx, "member:admin", "t1", ada.ID)
	must(t, err)

	h := f.withHook()
	broken := errors.New("disk full")
	h.beforeUpdate = func(context.Context, store.Tx) error { return broken }
	const next = "a brand new passphrase"
	if _, err := f.svc.CompleteReset(ctx, "t1", token, next); !errors.Is(err, broken) {
		t.Fatalf("a failing store: %v", err)
	}
	wantUnused(t, f, token, "member.password.reset_link.use")
	if f.member(t, ada.ID).PasswordHash != ada.PasswordHash {
		t.Fatal("the password changed")
	}

	h.beforeUpdate = nil
	_, err = f.svc.CompleteReset(ctx, "t1", token, next)
	must(t, err)
	if f.member(t, ada.ID).PasswordHash == ada.PasswordHash {
		t.Fatal("the password did not change")
	}
	p, err := f.st.Audit().List(ctx, "t1", store.AuditQuery{})
	must(t, err)
	if !slices.ContainsFunc(p.Items, func(e model.AuditEvent) bool { return e.Action == "member.password.reset_link.use" }) {
		t.Fatal("no use recorded")
	}
}

// TestInvitationFailureKeepsLink: an acceptance whose last step (marking
// the address verified) fails takes back the password set before it and
// leaves the invitation unused.
func TestInvitationFailureKeepsLink(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	inv, err := f.svc.Invite(ctx, "member:admin", bakers, InviteInput{Email: "ada@example.org", Name: "Ada"})
	must(t, err)
	_, token, ok := strings.Cut(inv.URL, InvitePath)
	if !ok {
		t.Fatalf("invitation URL %q", inv.URL)
	}

	h := f.withHook()
	broken, updates := errors.New("disk full"), 0
	h.beforeUpdate = func(context.Context, store.Tx) error {
		if updates++; updates == 2 {
			return broken
		}
		return nil
	}
	if _, err := f.svc.AcceptInvitation(ctx, "t1", token, pw); !errors.Is(err, broken) || updates != 2 {
		t.Fatalf("a failing store: %v after %d updates", err, updates)
	}
	wantUnused(t, f, token, "member.invitation.use")
	if m := f.member(t, inv.Member.ID); m.PasswordHash != "" || m.EmailVerified {
		t.Fatalf("half an acceptance stayed: %+v", m)
	}

	h.beforeUpdate = nil
	m, err := f.svc.AcceptInvitation(ctx, "t1", token, pw)
	if err != nil || m.PasswordHash == "" || !m.EmailVerified {
		t.Fatalf("accepted: %+v, %v", m, err)
	}
}

// TestSetupRaceKeepsLink: a member who takes the address after the check
// and before the administrator is added (the unique index refuses it) gets
// the same 409 as one found by the check, and the setup link stays unused.
func TestSetupRaceKeepsLink(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	token, _, err := f.svc.SetupLink(ctx, "t1")
	must(t, err)

	h := f.withHook()
	h.beforeCreate = func(ctx context.Context, tx store.Tx) error {
		return tx.Members().Create(ctx, model.Member{ID: "bob", TenantID: "t1", Email: "A@example.org", Name: "Bob",
			Status: model.StatusCurrent, CreatedAt: f.now, UpdatedAt: f.now})
	}
	_, err = f.svc.CompleteSetup(ctx, "t1", token, admin("a@example.org"))
	if c, ok := errors.AsType[*problem.Conflict](err); !ok || !strings.Contains(c.Msg, "guildgate member update a@example.org --admin=true") {
		t.Fatalf("a taken address: %v", err)
	}
	wantUnused(t, f, token, "admin.setup_link.use")

	h.beforeCreate = nil
	if m, err := f.svc.CompleteSetup(ctx, "t1", token, admin("a@example.org")); err != nil || !m.Admin {
		t.Fatalf("once the address is free: %+v, %v", m, err)
	}
}

// auditEvents stands in for webhooks.Events: it records each directory
// event as an audit row ("event.<type>") written through the change's
// transaction, so a test sees whether the events commit and roll back with
// the change.
type auditEvents struct{}

func (auditEvents) Member(ctx context.Context, tx store.Tx, typ string, m model.Member) error {
	return tx.Audit().Append(ctx, model.AuditEvent{TenantID: m.TenantID, At: m.UpdatedAt, Actor: "events",
		Action: "event." + typ, Target: "member:" + m.ID})
}

func (e auditEvents) Changed(ctx context.Context, tx store.Tx, old, m model.Member) error {
	return e.Member(ctx, tx, model.EventMemberUpdated, m)
}

func (e auditEvents) Membership(ctx context.Context, tx store.Tx, typ string, g model.Group, m model.Member) error {
	return e.Member(ctx, tx, typ, m)
}

// TestInvitationFailureLeavesNothing: an invitation whose last step fails
// (its link cannot be stored, or its mail cannot be queued) leaves no
// member, no membership, no link, no mail, no audit row and no event; once
// the store is mended the same invitation works. A re-invitation that
// fails adds no group and keeps the earlier link.
func TestInvitationFailureLeavesNothing(t *testing.T) {
	for _, b := range storetest.Backends() {
		for _, step := range []string{"link", "mail"} {
			t.Run(b.Name+"/"+step, func(t *testing.T) { testInvitationFailureLeavesNothing(t, newFixtureOn(t, b.New(t)), step) })
		}
	}
}

func testInvitationFailureLeavesNothing(t *testing.T, f *fixture, step string) {
	ctx := t.Context()
	f.withMail(t)
	f.svc.Dir.Events = auditEvents{}
	var groups []model.Group
	for _, name := range []string{"Ovens", "Flour", "Cakes"} {
		g, err := f.svc.Dir.AddGroup(ctx, "cli", "t1", directory.GroupInput{Name: name})
		must(t, err)
		groups = append(groups, g)
	}
	h := f.withHook()
	broken := errors.New("disk full")
	breakStep := func(on bool) {
		fail := func(context.Context, store.Tx) error { return broken }
		if !on {
			fail = nil
		}
		if step == "link" {
			h.beforeLink = fail
		} else {
			h.beforeEnqueue = fail
		}
	}
	memberships := func(g model.Group) int {
		p, err := f.st.Groups().ListMembers(ctx, "t1", g.ID, store.MemberQuery{})
		must(t, err)
		return len(p.Items)
	}
	pending := func() []model.OneTimeLink {
		p, err := f.st.OneTimeLinks().ListUnused(ctx, "t1", model.PurposeInvitation, f.now, "", 0)
		must(t, err)
		return p.Items
	}
	created := []string{"group.create", "group.create", "group.create"}

	breakStep(true)
	in := InviteInput{Email: "ada@example.org", Name: "Ada", Groups: []string{"Ovens", "flour"}}
	if _, err := f.svc.Invite(ctx, "member:admin", bakers, in); !errors.Is(err, broken) {
		t.Fatalf("a failing %s step: %v", step, err)
	}
	if m, err := f.st.Members().GetByEmail(ctx, "t1", "ada@example.org"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("the member stayed: %+v, %v", m, err)
	}
	if n := memberships(groups[0]) + memberships(groups[1]); n != 0 {
		t.Fatalf("%d memberships stayed", n)
	}
	if ls := pending(); len(ls) != 0 {
		t.Fatalf("%d links stayed", len(ls))
	}
	if n := f.queued(t); n != 0 {
		t.Fatalf("%d mails queued", n)
	}
	wantActions(t, f, "t1", created...)

	breakStep(false)
	inv, err := f.svc.Invite(ctx, "member:admin", bakers, in)
	must(t, err)
	if !inv.Mailed || memberships(groups[0]) != 1 || memberships(groups[1]) != 1 || len(pending()) != 1 || f.queued(t) != 1 {
		t.Fatalf("the mended invitation: %+v", inv)
	}
	invited := []string{"member.invitation.create", "event.group.member_added", "group.member.add",
		"event.group.member_added", "group.member.add", "event.member.created", "member.create"}
	wantActions(t, f, "t1", append(invited, created...)...)

	breakStep(true)
	before := pending()[0]
	again := InviteInput{Email: "ADA@example.org", Groups: []string{"Cakes"}}
	if _, err := f.svc.Invite(ctx, "member:admin", bakers, again); !errors.Is(err, broken) {
		t.Fatalf("a failing %s step again: %v", step, err)
	}
	if ls := pending(); memberships(groups[2]) != 0 || len(ls) != 1 || ls[0].Hash != before.Hash || f.queued(t) != 1 {
		t.Fatalf("a failed re-invitation changed things: %d in Cakes, links %+v", memberships(groups[2]), ls)
	}
	wantActions(t, f, "t1", append(invited, created...)...)
}

// TestRevokeInvitationKeepsItsRecord: withdrawing an invitation whose audit
// row cannot be written withdraws nothing: the invitation is never gone
// without a record of who withdrew it; once the log works it is withdrawn.
func TestRevokeInvitationKeepsItsRecord(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) { testRevokeInvitationKeepsItsRecord(t, newFixtureOn(t, b.New(t))) })
	}
}

func testRevokeInvitationKeepsItsRecord(t *testing.T, f *fixture) {
	ctx := t.Context()
	f.withMail(t)
	inv, err := f.svc.Invite(ctx, "member:admin", bakers, InviteInput{Email: "ada@example.org", Name: "Ada"})
	must(t, err)
	h := f.withHook()
	broken := errors.New("disk full")
	h.beforeAudit = func(context.Context, store.Tx) error { return broken }
	if ok, err := f.svc.RevokeInvitation(ctx, "member:admin", "t1", inv.Member.ID); ok || !errors.Is(err, broken) {
		t.Fatalf("withdrawing with a failing audit log: %v, %v", ok, err)
	}
	pending := func() int {
		p, err := f.st.OneTimeLinks().ListUnused(ctx, "t1", model.PurposeInvitation, f.now, "", 0)
		must(t, err)
		return len(p.Items)
	}
	if n := pending(); n != 1 {
		t.Fatalf("%d invitations pending after a failed withdrawal, want 1", n)
	}
	h.beforeAudit = nil
	if ok, err := f.svc.RevokeInvitation(ctx, "member:admin", "t1", inv.Member.ID); !ok || err != nil {
		t.Fatalf("withdrawing: %v, %v", ok, err)
	}
	if n := pending(); n != 0 {
		t.Fatalf("%d invitations pending after the withdrawal", n)
	}
	p, err := f.st.Audit().List(ctx, "t1", store.AuditQuery{Action: "member.invitation.revoke"})
	must(t, err)
	if len(p.Items) != 1 {
		t.Fatalf("%d withdrawal rows, want 1", len(p.Items))
	}
}
