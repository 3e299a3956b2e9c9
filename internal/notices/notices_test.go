package notices

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/mail"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/outbox"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

// TestEveryChangeIsMailed: each change has its own subject and sentence,
// in both parts, with the way back in; the notice goes to the address the
// member has; a mailer with mail off and a nil notifier send nothing.
func TestEveryChangeIsMailed(t *testing.T) {
	st := storetest.NewSQLite(t)
	ctx := t.Context()
	tn := model.Tenant{ID: "t1", Slug: "bakers", Name: "Bakers", Issuer: "https://sso.example"}
	if err := st.Tenants().Create(ctx, tn); err != nil {
		t.Fatal(err)
	}
	kr, err := secrets.NewKeyring(bytes.Repeat([]byte{7}, secrets.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := mail.LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	n := &Notifier{Mail: &mail.Mailer{Templates: tpl, Queue: &outbox.Queue{Keyring: kr, Now: time.Now}}, Outbox: st.Outbox()}
	ada := model.Member{ID: "m1", TenantID: "t1", Email: "ada@example.org", Name: "Ada <b>"}
	for c := range known {
		if c == EmailChangeRequested {
			err = n.NotifyEmailChangeIn(ctx, st.Outbox(), tn, ada, "ada@new.example")
		} else {
			err = n.Notify(ctx, tn, ada, c)
		}
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
	}
	if err := n.Notify(ctx, tn, ada, EmailChangeRequested); err == nil {
		t.Fatal("an address notice without the new address")
	}
	if err := n.Notify(ctx, tn, ada, "made_up"); err == nil {
		t.Fatal("an unknown notice was sent")
	}
	p, err := st.Outbox().List(ctx, "t1", store.OutboxQuery{Kind: mail.Kind})
	if err != nil || len(p.Items) != len(known) {
		t.Fatalf("%d notices queued, %v", len(p.Items), err)
	}
	subjects := map[string]bool{}
	for _, it := range p.Items {
		raw, err := kr.Decrypt(it.Payload, secrets.AssociatedData("outbox", "t1", mail.Kind))
		if err != nil {
			t.Fatal(err)
		}
		var m mail.Message
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		subjects[m.Subject] = true
		if m.To != ada.Email || !strings.Contains(m.Text, "https://sso.example/account/forgot") ||
			!strings.Contains(m.HTML, `href="https://sso.example/account/forgot"`) || !strings.Contains(m.HTML, "Ada &lt;b&gt;") {
			t.Errorf("notice %q:\n%s\n%s", m.Subject, m.Text, m.HTML)
		}
	}
	if len(subjects) != len(known) {
		t.Fatalf("subjects %v: each change needs its own", subjects)
	}

	off := &Notifier{Mail: &mail.Mailer{Templates: tpl}, Outbox: st.Outbox()}
	var none *Notifier
	if err := off.Notify(ctx, tn, ada, PasswordChanged); err != nil {
		t.Fatal(err)
	}
	if err := none.Notify(ctx, tn, ada, PasswordChanged); err != nil {
		t.Fatal(err)
	}
	if p, _ := st.Outbox().List(ctx, "t1", store.OutboxQuery{Kind: mail.Kind}); len(p.Items) != len(known) {
		t.Fatal("a notice was queued with mail off")
	}
}
