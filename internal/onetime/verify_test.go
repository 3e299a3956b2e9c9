package onetime

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/mail"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/notices"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/store"
)

var bakers = model.Tenant{ID: "t1", Slug: "t1", Name: "Bakers", Issuer: "https://t1.example"}

// mails returns the mail queued in t1's outbox, opened, oldest first.
func (f *fixture) mails(t *testing.T) []mail.Message {
	t.Helper()
	p, err := f.st.Outbox().List(t.Context(), "t1", store.OutboxQuery{Kind: mail.Kind})
	must(t, err)
	var out []mail.Message
	for _, it := range slices.Backward(p.Items) { // List gives the newest first
		raw, err := f.keyring.Decrypt(it.Payload, secrets.AssociatedData("outbox", "t1", mail.Kind))
		must(t, err)
		var m mail.Message
		must(t, json.Unmarshal(raw, &m))
		out = append(out, m)
	}
	return out
}

// tokenIn returns the token of the verification link a mail carries.
func tokenIn(t *testing.T, m mail.Message) string {
	t.Helper()
	_, after, ok := strings.Cut(m.Text, bakers.Issuer+VerifyPath)
	if !ok {
		t.Fatalf("no verification link in:\n%s", m.Text)
	}
	return strings.Fields(after)[0]
}

func (f *fixture) addMember(t *testing.T, email, password string) model.Member {
	t.Helper()
	m, err := f.svc.Dir.AddMember(t.Context(), "cli", "t1", directory.MemberInput{Email: email, Name: "Ada", Password: password})
	must(t, err)
	return m
}

func (f *fixture) member(t *testing.T, id string) model.Member {
	t.Helper()
	m, err := f.st.Members().Get(t.Context(), "t1", id)
	must(t, err)
	return m
}

func withNotices(f *fixture) {
	f.svc.Notices = &notices.Notifier{Mail: f.svc.Mail, Outbox: f.st.Outbox()}
}

// TestEmailChange: the current password, then a link to the new address
// and a notice to the old one, in one go; the address changes only when
// the link is used, once, within 24 hours, and is verified then.
func TestEmailChange(t *testing.T) {
	f := newFixture(t)
	f.withMail(t)
	withNotices(f)
	ctx := t.Context()
	ada := f.addMember(t, "ada@example.org", pw)

	err := f.svc.RequestEmailChange(ctx, "192.0.2.1", bakers, ada, "ada@new.example", "wrong password!")
	if !errors.Is(err, directory.ErrWrongPassword) || len(f.mails(t)) != 0 {
		t.Fatalf("a wrong password: %v, %d mails", err, len(f.mails(t)))
	}
	must(t, f.svc.RequestEmailChange(ctx, "192.0.2.1", bakers, ada, " Ada@New.example ", pw))
	sent := f.mails(t)
	if len(sent) != 2 {
		t.Fatalf("%d mails, want the link and the notice", len(sent))
	}
	link, notice := sent[0], sent[1]
	if link.To != "Ada@New.example" || !strings.Contains(link.Subject, "Confirm your address") ||
		!strings.Contains(link.Text, "within 24 hours") {
		t.Fatalf("link mail %+v", link)
	}
	if notice.To != "ada@example.org" || !strings.Contains(notice.Text, "from ada@example.org to Ada@New.example") ||
		!strings.Contains(notice.Text, bakers.Issuer+notices.ForgotPath) || !strings.Contains(notice.HTML, "Ada@New.example") {
		t.Fatalf("notice %+v", notice)
	}
	if m := f.member(t, ada.ID); m.Email != "ada@example.org" {
		t.Fatalf("the address changed before the link was used: %s", m.Email)
	}
	token := tokenIn(t, link)
	l, _, err := f.svc.OpenEmailLink(ctx, "t1", token)
	if err != nil || l.Purpose != model.PurposeEmailChange || l.Email != "Ada@New.example" || l.ExpiresAt != f.now.Add(24*time.Hour) {
		t.Fatalf("link %+v, %v", l, err)
	}
	f.advance(23 * time.Hour)
	m, err := f.svc.ConfirmEmail(ctx, "t1", token)
	if err != nil || m.Email != "Ada@New.example" || !m.EmailVerified {
		t.Fatalf("confirmed: %+v, %v", m, err)
	}
	_, err = f.svc.ConfirmEmail(ctx, "t1", token)
	wantUnusable(t, err)
	wantActions(t, f, "t1", "member.update", "member.email.change_link.use", "member.email.change_link.create",
		"member.create")
}

// TestEmailChangeRefusals: what is refused leaves the address, the links
// and the outbox as they were.
func TestEmailChangeRefusals(t *testing.T) {
	f := newFixture(t)
	f.withMail(t)
	withNotices(f)
	ctx := t.Context()
	ada := f.addMember(t, "ada@example.org", pw)
	for _, bad := range []string{"", "not an address", "ada@example.org\r\nBcc: all@example.org", "Ada <ada@x.example>",
		strings.Repeat("a", 250) + "@x.example", "ada@[192.0.2.1]"} {
		err := f.svc.RequestEmailChange(ctx, "", bakers, ada, bad, pw)
		if inv, ok := errors.AsType[*problem.Invalid](err); !ok || inv.Problems[0].Field != "email" {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if err := f.svc.RequestEmailChange(ctx, "", bakers, ada, "ADA@example.org", pw); !errors.Is(err, ErrSameEmail) {
		t.Fatalf("the same address: %v", err)
	}
	if n := len(f.mails(t)); n != 0 {
		t.Fatalf("%d mails for refused requests", n)
	}
	f.svc.Mail.Queue = nil
	if err := f.svc.RequestEmailChange(ctx, "", bakers, ada, "ada@new.example", pw); !errors.Is(err, ErrMailOff) {
		t.Fatalf("without mail: %v", err)
	}
}

// TestEmailChangeLinks: a new request replaces the unused link; a link
// expires after 24 hours; an address another member took meanwhile is
// refused without spending the link.
func TestEmailChangeLinks(t *testing.T) {
	f := newFixture(t)
	f.withMail(t)
	withNotices(f)
	ctx := t.Context()
	ada := f.addMember(t, "ada@example.org", pw)
	must(t, f.svc.RequestEmailChange(ctx, "", bakers, ada, "one@example.org", pw))
	must(t, f.svc.RequestEmailChange(ctx, "", bakers, ada, "two@example.org", pw))
	sent := f.mails(t)
	first, second := tokenIn(t, sent[0]), tokenIn(t, sent[2])
	_, err := f.svc.ConfirmEmail(ctx, "t1", first)
	wantUnusable(t, err)

	bob := f.addMember(t, "TWO@example.org", "")
	_, err = f.svc.ConfirmEmail(ctx, "t1", second)
	if _, ok := errors.AsType[*problem.Conflict](err); !ok {
		t.Fatalf("a taken address: %v", err)
	}
	must(t, f.svc.Dir.DeleteMember(ctx, "cli", "t1", bob.ID))
	if m, err := f.svc.ConfirmEmail(ctx, "t1", second); err != nil || m.Email != "two@example.org" {
		t.Fatalf("after the other member left: %+v, %v", m, err)
	}

	must(t, f.svc.RequestEmailChange(ctx, "", bakers, f.member(t, ada.ID), "three@example.org", pw))
	late := tokenIn(t, f.mails(t)[4])
	f.advance(VerifyTTL)
	_, err = f.svc.ConfirmEmail(ctx, "t1", late)
	wantUnusable(t, err)
	if m := f.member(t, ada.ID); m.Email != "two@example.org" {
		t.Fatalf("an expired link changed the address to %s", m.Email)
	}
}

// TestAddressMailIsLimited: a member can set off three address mails in a
// row, then one every ten minutes; a wrong password spends one too, so a
// borrowed session cannot guess the password at speed.
func TestAddressMailIsLimited(t *testing.T) {
	f := newFixture(t)
	f.withMail(t)
	withNotices(f)
	ctx := t.Context()
	ada := f.addMember(t, "ada@example.org", pw)
	must(t, f.svc.SendVerification(ctx, "member:"+ada.ID, "", bakers, ada))
	must(t, f.svc.RequestEmailChange(ctx, "", bakers, ada, "one@example.org", pw))
	if err := f.svc.RequestEmailChange(ctx, "", bakers, ada, "two@example.org", "wrong password!"); !errors.Is(err, directory.ErrWrongPassword) {
		t.Fatal(err)
	}
	if err := f.svc.RequestEmailChange(ctx, "", bakers, ada, "two@example.org", pw); !errors.Is(err, ErrTooSoon) {
		t.Fatalf("the fourth request: %v", err)
	}
	if err := f.svc.SendVerification(ctx, "member:"+ada.ID, "", bakers, ada); !errors.Is(err, ErrTooSoon) {
		t.Fatalf("a verification over the limit: %v", err)
	}
	f.advance(10 * time.Minute)
	must(t, f.svc.RequestEmailChange(ctx, "", bakers, ada, "two@example.org", pw))
	if n := len(f.mails(t)); n != 5 {
		t.Fatalf("%d mails, want 1 + 2 + 2", n)
	}
}

// TestVerification: an unverified member gets a link to their own address
// which verifies it; a link for an address the member no longer has is
// refused; a verified member gets nothing.
func TestVerification(t *testing.T) {
	f := newFixture(t)
	f.withMail(t)
	ctx := t.Context()
	ada := f.addMember(t, "ada@example.org", "")
	must(t, f.svc.SendVerification(ctx, "member:"+ada.ID, "192.0.2.1", bakers, ada))
	sent := f.mails(t)
	if len(sent) != 1 || sent[0].To != "ada@example.org" {
		t.Fatalf("mails %+v", sent)
	}
	token := tokenIn(t, sent[0])
	m, err := f.svc.ConfirmEmail(ctx, "t1", token)
	if err != nil || !m.EmailVerified || m.Email != "ada@example.org" {
		t.Fatalf("verified: %+v, %v", m, err)
	}
	must(t, f.svc.SendVerification(ctx, "member:"+ada.ID, "", bakers, m))
	if n := len(f.mails(t)); n != 1 {
		t.Fatalf("a verified address was sent a link")
	}

	bob := f.addMember(t, "bob@example.org", "")
	must(t, f.svc.SendVerification(ctx, "member:"+bob.ID, "", bakers, bob))
	stale := tokenIn(t, f.mails(t)[1])
	newAddress := "bob@elsewhere.example"
	_, err = f.svc.Dir.UpdateMember(ctx, "cli", "t1", bob.ID, directory.MemberPatch{Email: &newAddress})
	must(t, err)
	_, err = f.svc.ConfirmEmail(ctx, "t1", stale)
	wantUnusable(t, err)
	if m := f.member(t, bob.ID); m.EmailVerified {
		t.Fatal("a link for the old address verified the new one")
	}
	_, err = f.svc.ConfirmEmail(ctx, "t1", "forged")
	wantUnusable(t, err)
}
