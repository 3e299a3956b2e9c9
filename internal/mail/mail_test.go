package mail_test

import (
	"context"
	"net"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	. "github.com/guildgate/guildgate/internal/mail"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/testenv"
)

func relayTo(t *testing.T, mp *testenv.Mailpit, from string) *Relay {
	t.Helper()
	r, err := NewRelay(mp.URL(), mp.Password, from)
	if err != nil {
		t.Fatal(err)
	}
	r.TLS = mp.TLS()
	return r
}

func compose(t *testing.T, to To, tenantName string) Message {
	t.Helper()
	tpl, err := LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	m, err := (&Mailer{Templates: tpl}).Compose(model.Tenant{ID: "t1", Slug: "bakers", Name: tenantName}, to,
		TemplatePasswordReset, Data{Link: "https://sso.example/account/reset/abc?x=1&y=2", Valid: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func send(t *testing.T, r *Relay, m Message, id string) error {
	t.Helper()
	data, err := m.Encode(r.From, id, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return r.Send(t.Context(), m.To, data)
}

// TestSendsThroughARealRelay: STARTTLS, AUTH and a two-part message that
// a real SMTP server accepts and parses back to what was sent.
func TestSendsThroughARealRelay(t *testing.T) {
	mp := testenv.StartMailpit(t, testenv.MailpitOptions{})
	r := relayTo(t, mp, "Guildgate <sso@guild.example>")
	m := compose(t, To{Email: "ada@example.org", Name: "Ada Lovelace"}, "Guild of Bakers & Co")
	if err := send(t, r, m, "gg.t1.7"); err != nil {
		t.Fatal(err)
	}
	got := mp.WaitFor(t, "ada@example.org", 1, 10*time.Second)[0]
	if got.Subject != "Reset your password for Guild of Bakers & Co" || got.From.Name != "Guild of Bakers & Co" ||
		got.From.Address != "sso@guild.example" || got.To[0].Name != "Ada Lovelace" || got.MessageID != "gg.t1.7@guild.example" {
		t.Fatalf("headers: %+v", got)
	}
	if !strings.Contains(got.Text, "Hello Ada Lovelace,") || !strings.Contains(got.Text, "https://sso.example/account/reset/abc?x=1&y=2") {
		t.Fatalf("text part:\n%s", got.Text)
	}
	if !strings.Contains(got.HTML, `href="https://sso.example/account/reset/abc?x=1&amp;y=2"`) || !strings.Contains(got.HTML, "Guild of Bakers &amp; Co") {
		t.Fatalf("html part:\n%s", got.HTML)
	}
}

// TestWrongPasswordIsRefused: the relay checks the password, so a test
// that passes proves AUTH ran.
func TestWrongPasswordIsRefused(t *testing.T) {
	mp := testenv.StartMailpit(t, testenv.MailpitOptions{})
	r, err := NewRelay(mp.URL(), "wrong", "sso@guild.example")
	if err != nil {
		t.Fatal(err)
	}
	r.TLS = mp.TLS()
	if err := send(t, r, compose(t, To{Email: "ada@example.org"}, "Bakers"), "x"); err == nil || !strings.Contains(err.Error(), "authentication") {
		t.Fatalf("a wrong password: %v", err)
	}
}

// TestOddButValidAddresses reach the relay intact; an internationalised
// domain goes as punycode.
func TestOddButValidAddresses(t *testing.T) {
	mp := testenv.StartMailpit(t, testenv.MailpitOptions{})
	r := relayTo(t, mp, "sso@guild.example")
	for addr, arrives := range map[string]string{
		"o'brien+tag@example.org":      "o'brien+tag@example.org",
		"first.last@sub.example.co.uk": "first.last@sub.example.co.uk",
		"ada@bäckerei.example":         "ada@xn--bckerei-5wa.example",
		"UPPER.Case@Example.ORG":       "UPPER.Case@Example.ORG",
		"x@localhost":                  "x@localhost",
		"very.long.local.part.of.an.address.that.is.still.fine@example.org": "very.long.local.part.of.an.address.that.is.still.fine@example.org",
	} {
		if err := send(t, r, compose(t, To{Email: addr, Name: `Ünïcødé "Quoted" Name, Jr.`}, "Bakers"), "x"); err != nil {
			t.Fatalf("%s: %v", addr, err)
		}
		got := mp.WaitFor(t, arrives, 1, 10*time.Second)[0]
		if got.To[0].Name != `Ünïcødé "Quoted" Name, Jr.` {
			t.Fatalf("%s: name %q", addr, got.To[0].Name)
		}
	}
}

// TestHeaderInjectionRefused: a CR or LF in a name, the subject or an
// address never reaches a header; such a message is refused whole.
func TestHeaderInjectionRefused(t *testing.T) {
	base := Message{To: "ada@example.org", Subject: "Hello", Text: "t", HTML: "h"}
	for name, edit := range map[string]func(*Message){
		"to name":    func(m *Message) { m.ToName = "Ada\r\nBcc: victim@example.org" },
		"from name":  func(m *Message) { m.FromName = "Bakers\nBcc: victim@example.org" },
		"subject":    func(m *Message) { m.Subject = "Hi\r\nBcc: victim@example.org" },
		"to":         func(m *Message) { m.To = "ada@example.org\r\nBcc: victim@example.org" },
		"two to":     func(m *Message) { m.To = "ada@example.org, victim@example.org" },
		"named to":   func(m *Message) { m.To = "Ada <ada@example.org>" },
		"long name":  func(m *Message) { m.ToName = strings.Repeat("a", MaxName+1) },
		"long to":    func(m *Message) { m.To = strings.Repeat("a", 250) + "@example.org" },
		"big body":   func(m *Message) { m.HTML = strings.Repeat("a", MaxBody+1) },
		"no subject": func(m *Message) { m.Subject = "" },
	} {
		m := base
		edit(&m)
		if _, err := m.Encode(&mailAddress, "x", time.Now()); err == nil {
			t.Errorf("%s: encoded %+v", name, m)
		}
	}
	if _, err := base.Encode(&mailAddress, "x", time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, from := range []string{"Bakers <sso@guild.example>\r\nBcc: x@y", "not an address", "a@b, c@d"} {
		if _, err := ParseFrom(from); err == nil {
			t.Errorf("mail-from %q accepted", from)
		}
	}
}

// TestRelaySettings: the URL forms serve accepts and refuses.
func TestRelaySettings(t *testing.T) {
	for _, bad := range []string{"http://mail.example", "smtp://", "smtp://u:pw@mail.example", "smtp://mail.example/path",
		"smtp://mail.example?x=1", "smtp://user@mail.example" /* no password given */} {
		if _, err := NewRelay(bad, "", "sso@guild.example"); err == nil {
			t.Errorf("%s accepted", bad)
		} else if strings.Contains(err.Error(), "pw") {
			t.Errorf("%s: the error shows the password: %v", bad, err)
		}
	}
	for raw, host := range map[string]string{"smtp://mail.example": "mail.example:587", "smtps://u@mail.example": "mail.example:465",
		"smtp://mail.example:2525": "mail.example:2525"} {
		r, err := NewRelay(raw, "pw", "sso@guild.example")
		if err != nil || r.HostPort() != host {
			t.Errorf("%s: %v %v", raw, r, err)
		}
	}
	for host, want := range map[string]bool{"localhost": true, "127.0.0.1": true, "[::1]": true, "127.3.4.5": true,
		"mail.example": false, "10.0.0.1": false, "localhost.evil.example": false} {
		r, err := NewRelay("smtp://"+host, "", "sso@guild.example")
		if err != nil || r.Loopback() != want {
			t.Errorf("%s: loopback %v, %v", host, r.Loopback(), err)
		}
	}
}

// TestNoClearTextOffLoopback: a relay that does not offer STARTTLS is
// used on loopback only; anywhere else the mail is not sent.
func TestNoClearTextOffLoopback(t *testing.T) {
	mp := testenv.StartMailpit(t, testenv.MailpitOptions{Plain: true})
	m := compose(t, To{Email: "ada@example.org"}, "Bakers")
	r, err := NewRelay("smtp://"+mp.SMTP, "", "sso@guild.example")
	if err != nil {
		t.Fatal(err)
	}
	if err := send(t, r, m, "x"); err != nil {
		t.Fatalf("loopback relay: %v", err)
	}
	r, err = NewRelay("smtp://relay.example:25", "", "sso@guild.example")
	if err != nil {
		t.Fatal(err)
	}
	r.DialInstead(mp.SMTP) // the same server, under a name that is not loopback
	if err := send(t, r, m, "x"); err == nil || !strings.Contains(err.Error(), "does not offer STARTTLS") {
		t.Fatalf("clear text off loopback: %v", err)
	}
	if got := mp.To(t, "ada@example.org"); len(got) != 1 {
		t.Fatalf("%d messages arrived, want 1", len(got))
	}
}

// TestHungRelayTimesOut: a relay that accepts the connection and never
// answers costs one bounded attempt.
func TestHungRelayTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	r, err := NewRelay("smtp://"+ln.Addr().String(), "", "sso@guild.example")
	if err != nil {
		t.Fatal(err)
	}
	r.Timeout = 300 * time.Millisecond
	start := time.Now()
	err = send(t, r, compose(t, To{Email: "ada@example.org"}, "Bakers"), "x")
	if err == nil || !strings.Contains(err.Error(), "no answer in time") {
		t.Fatalf("hung relay: %v", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatalf("the attempt took %v", time.Since(start))
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := r.Send(ctx, "ada@example.org", []byte("x")); err == nil {
		t.Fatal("sent with a cancelled context")
	}
}

// TestRelayErrorsAreReported: a relay answering 5xx is an error the
// outbox retries (not a silent loss).
func TestRelayErrorsAreReported(t *testing.T) {
	mp := testenv.StartMailpit(t, testenv.MailpitOptions{Chaos: true})
	mp.SetChaos(t, 554)
	r := relayTo(t, mp, "sso@guild.example")
	if err := send(t, r, compose(t, To{Email: "ada@example.org"}, "Bakers"), "x"); err == nil || !strings.Contains(err.Error(), "554") {
		t.Fatalf("a refusing relay: %v", err)
	}
	mp.SetChaos(t, 0)
	if err := send(t, r, compose(t, To{Email: "ada@example.org"}, "Bakers"), "x"); err != nil {
		t.Fatal(err)
	}
}

var mailAddress = mailAddr("sso@guild.example")

func mailAddr(s string) netmail.Address { a, _ := ParseFrom(s); return *a }
