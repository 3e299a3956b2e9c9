package mail

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/guildgate/guildgate/internal/branding"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/outbox"
	"github.com/guildgate/guildgate/internal/store"
)

// Kind is the outbox kind of a mail.
const Kind = "mail"

// Policy is how long and how often a mail is tried: soon at first (a relay
// restarting), then hourly, for a day, after which the link it carries is
// of little use anyway.
var Policy = outbox.Policy{
	Backoff: []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute,
		10 * time.Minute, 30 * time.Minute, time.Hour},
	GiveUpAfter: 24 * time.Hour,
}

// Mailer queues templated mail. A nil Queue means the operator set no
// relay: nothing is queued, and the flows show links to an administrator
// instead (Enabled tells them).
type Mailer struct {
	Queue     *outbox.Queue
	Templates *Templates
}

// Enabled reports whether mail is sent at all.
func (m *Mailer) Enabled() bool { return m != nil && m.Queue != nil }

// To is a recipient. Lang is the language of their mail: the member's
// remembered language, or "" for the tenant's default.
type To struct{ Email, Name, Lang string }

// ToMember addresses a member: their name, and their remembered language.
func ToMember(m model.Member) To { return To{Email: m.Email, Name: m.Name, Lang: m.Language} }

// Send renders mail name for the recipient in the tenant and writes it to
// st, the outbox of the transaction making the change that causes it. It
// is a no-op when mail is off.
func (m *Mailer) Send(ctx context.Context, st store.Outbox, t model.Tenant, to To, name string, d Data) error {
	if !m.Enabled() {
		return nil
	}
	msg, err := m.Compose(t, to, name, d)
	if err != nil {
		return err
	}
	payload, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("mail %s: %w", name, err)
	}
	_, err = m.Queue.Put(ctx, st, t.ID, Kind, "", payload)
	return err
}

// Compose renders mail name for the recipient in the tenant, checked: in
// the recipient's language, with the tenant's name, logo, colour and links.
func (m *Mailer) Compose(t model.Tenant, to To, name string, d Data) (Message, error) {
	d.Site, d.Email, d.Brand = siteName(t), to.Email, brandOf(t)
	d.l = i18n.For(cmp.Or(to.Lang, t.DefaultLanguage, i18n.Default))
	if d.Name == "" {
		d.Name = to.Name
	}
	subject, text, html, err := m.Templates.Render(name, d)
	if err != nil {
		return Message{}, err
	}
	msg := Message{FromName: d.Site, To: to.Email, ToName: to.Name, Subject: subject, Text: text, HTML: html}
	if err := msg.Validate(); err != nil {
		return Message{}, fmt.Errorf("mail %s to member: %w", name, err)
	}
	return msg, nil
}

func brandOf(t model.Tenant) Brand {
	b := Brand{Color: cmp.Or(t.PrimaryColor, defaultColor), SupportURL: t.SupportURL, PrivacyURL: t.PrivacyURL}
	if t.LogoHash != "" {
		b.LogoURL = branding.LogoURL(t.Issuer, t.LogoHash)
	}
	return b
}

func siteName(t model.Tenant) string {
	if t.Name != "" {
		return t.Name
	}
	return t.Slug
}

// Deliverer sends the outbox's mail through the relay.
type Deliverer struct {
	Relay *Relay
	Now   func() time.Time
}

var _ outbox.Deliverer = Deliverer{}

// Deliver sends one mail. A payload that cannot be a mail fails for good;
// anything the relay says is tried again, within the policy's window.
// No reply code is kept: the relay's is not exposed.
func (d Deliverer) Deliver(ctx context.Context, del outbox.Delivery) (int, error) {
	m, err := decode(del.Payload)
	if err != nil {
		return 0, outbox.Permanent(err)
	}
	data, err := m.Encode(d.Relay.From, "gg."+del.Key(), d.Now())
	if err != nil {
		return 0, outbox.Permanent(err)
	}
	return 0, d.Relay.Send(ctx, m.To, data)
}

// SendTest sends the test mail to `to` at once, bypassing the outbox, so
// that `guildgate mail test` shows the relay's answer at the terminal.
func SendTest(ctx context.Context, r *Relay, t model.Tenant, to string, now time.Time) error {
	tpl, err := LoadTemplates()
	if err != nil {
		return err
	}
	m, err := (&Mailer{Templates: tpl}).Compose(t, To{Email: to}, TemplateTest, Data{})
	if err != nil {
		return err
	}
	data, err := m.Encode(r.From, "gg.test."+strconv.FormatInt(now.UnixNano(), 36), now)
	if err != nil {
		return err
	}
	return r.Send(ctx, to, data)
}
