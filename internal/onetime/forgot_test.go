package onetime

import (
	"bytes"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/mail"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/outbox"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/throttle"
)

// withMail gives the fixture's service a mailer that queues to the store.
func (f *fixture) withMail(t *testing.T) {
	t.Helper()
	kr, err := secrets.NewKeyring(bytes.Repeat([]byte{4}, secrets.KeySize))
	must(t, err)
	f.keyring = kr
	tpl, err := mail.LoadTemplates()
	must(t, err)
	clock := func() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now }
	f.svc.Atomic = f.st.Atomic
	f.svc.Mail = &mail.Mailer{Templates: tpl, Queue: &outbox.Queue{Keyring: kr, Now: clock}}
	f.svc.Throttle = &throttle.Limiter{Store: f.st.Throttles(), Now: clock}
}

func (f *fixture) queued(t *testing.T) int {
	t.Helper()
	p, err := f.st.Outbox().List(t.Context(), "t1", store.OutboxQuery{Kind: mail.Kind})
	must(t, err)
	return len(p.Items)
}

// TestForgotMailsOnlyWhoMayReset: a link goes only to an enabled member
// with a password, whatever the case of the address typed; it works for
// an hour and replaces the earlier one.
func TestForgotMailsOnlyWhoMayReset(t *testing.T) {
	f := newFixture(t)
	f.withMail(t)
	ctx := t.Context()
	tn := model.Tenant{ID: "t1", Slug: "t1", Name: "Bakers", Issuer: "https://t1.example"}
	ada, err := f.svc.Dir.AddMember(ctx, "cli", "t1", directory.MemberInput{Email: "ada@example.org", Name: "Ada", Password: pw})
	must(t, err)
	_, err = f.svc.Dir.AddMember(ctx, "cli", "t1", directory.MemberInput{Email: "upstream@example.org", Name: "U"})
	must(t, err)
	off, err := f.svc.Dir.AddMember(ctx, "cli", "t1", directory.MemberInput{Email: "off@example.org", Name: "Off", Password: pw})
	must(t, err)
	_, err = f.svc.Dir.DisableMember(ctx, "cli", "t1", off.ID)
	must(t, err)
	for _, email := range []string{"nobody@example.org", "upstream@example.org", "off@example.org", "", "not an address"} {
		must(t, f.svc.Forgot(ctx, tn, email, "192.0.2.1"))
	}
	if n := f.queued(t); n != 0 {
		t.Fatalf("%d mails queued for addresses that may not reset", n)
	}
	must(t, f.svc.Forgot(ctx, tn, " ADA@Example.org ", "192.0.2.1"))
	must(t, f.svc.Forgot(ctx, tn, "ada@example.org", "192.0.2.1"))
	if n := f.queued(t); n != 2 {
		t.Fatalf("%d mails queued, want 2", n)
	}
	links, err := f.st.Audit().List(ctx, "t1", store.AuditQuery{Action: "member.password.reset_link.create"})
	must(t, err)
	if len(links.Items) != 2 || links.Items[0].Target != "member:"+ada.ID || links.Items[0].IP != "192.0.2.1" {
		t.Fatalf("audit %+v", links.Items)
	}
}
