// Package mail sends Guildgate's mail: it renders a message from embedded
// templates (a plain-text and an HTML part, with the tenant's name), turns
// it into a MIME message that no name, address or subject can inject a
// header into, and hands it to the operator's SMTP relay over TLS. Mail is
// never sent from a request: Mailer writes it to the outbox in the
// transaction of the change that causes it, and Deliverer sends it from
// there (package outbox).
package mail

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/guildgate/guildgate/internal/inputs"
	"golang.org/x/net/idna"
)

// Limits that keep a message within what every relay takes.
const (
	maxAddress = 254
	maxName    = 200
	maxSubject = 250
	maxBody    = 512 << 10
)

// ErrInvalid is wrapped by every refusal of a message or address as such
// (as opposed to a relay's refusal).
var ErrInvalid = errors.New("invalid mail")

// Message is one mail as the outbox keeps it: rendered, not yet addressed
// from anyone (the relay's sender is the operator's choice at send time).
type Message struct {
	FromName string `json:"from_name,omitempty"` // the tenant's name, shown as the sender
	To       string `json:"to"`                  // a bare address
	ToName   string `json:"to_name,omitempty"`
	Subject  string `json:"subject"`
	Text     string `json:"text"`
	HTML     string `json:"html"`
}

// Validate reports why m cannot be sent. Control characters in a name or
// the subject are refused outright rather than cleaned: a CR or LF there is
// an attempt to add headers.
func (m Message) Validate() error {
	var errs []error
	if err := checkAddress(m.To); err != nil {
		errs = append(errs, fmt.Errorf("to: %w", err))
	}
	for field, v := range map[string]string{"from name": m.FromName, "to name": m.ToName} {
		if err := checkText(v, maxName); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", field, err))
		}
	}
	if err := checkText(m.Subject, maxSubject); err != nil || m.Subject == "" {
		errs = append(errs, fmt.Errorf("subject: %w", cmpErr(err, errors.New("is empty"))))
	}
	if len(m.Text) > maxBody || len(m.HTML) > maxBody || !utf8.ValidString(m.Text) || !utf8.ValidString(m.HTML) {
		errs = append(errs, fmt.Errorf("body: must be valid UTF-8 of at most %d bytes a part", maxBody))
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrInvalid, errors.Join(errs...))
	}
	return nil
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func checkText(s string, max int) error {
	switch {
	case !utf8.ValidString(s):
		return errors.New("is not valid UTF-8")
	case utf8.RuneCountInString(s) > max:
		return fmt.Errorf("is longer than %d characters", max)
	case inputs.HasControl(s):
		return errors.New("holds a control character (such as a line break)")
	}
	return nil
}

// checkAddress accepts one bare addr-spec, as the directory does.
func checkAddress(s string) error {
	if s == "" || len(s) > maxAddress || inputs.HasControl(s) {
		return fmt.Errorf("%q is not a single address of at most %d characters", s, maxAddress)
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return fmt.Errorf("%q is not a bare email address", s)
	}
	return nil
}

// ParseFrom reads --mail-from, "Name <address>" or a bare address.
func ParseFrom(s string) (*mail.Address, error) {
	if inputs.HasControl(s) {
		return nil, errors.New("mail-from: must not contain control characters")
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, fmt.Errorf("mail-from: %q is not an address such as \"Guild <sso@example.org>\"", s)
	}
	if err := checkAddress(a.Address); err != nil {
		return nil, fmt.Errorf("mail-from: %w", err)
	}
	return a, nil
}

// asciiDomain puts an address's domain in the form SMTP routes (punycode
// for an internationalised one); the local part stays as it is.
func asciiDomain(addr string) (string, error) {
	at := strings.LastIndexByte(addr, '@')
	domain, err := idna.Lookup.ToASCII(addr[at+1:])
	if err != nil {
		return "", fmt.Errorf("%w: the domain of %q cannot be used: %w", ErrInvalid, addr, err)
	}
	return addr[:at+1] + domain, nil
}

// Encode returns the wire form of m from `from`, with a Message-ID that is
// the same on every attempt (id, from the outbox item), so that a mail sent
// twice after a crash is recognised as one by the receiving systems.
func (m Message) Encode(from *mail.Address, id string, date time.Time) ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	to, err := asciiDomain(m.To)
	if err != nil {
		return nil, err
	}
	sender := &mail.Address{Name: from.Name, Address: from.Address}
	if m.FromName != "" {
		sender.Name = m.FromName
	}
	var b bytes.Buffer
	h := textproto.MIMEHeader{}
	h.Set("From", sender.String())
	h.Set("To", (&mail.Address{Name: m.ToName, Address: to}).String())
	h.Set("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	h.Set("Date", date.Format(time.RFC1123Z))
	h.Set("Message-ID", "<"+id+"@"+from.Address[strings.LastIndexByte(from.Address, '@')+1:]+">")
	h.Set("MIME-Version", "1.0")
	h.Set("Auto-Submitted", "auto-generated") // RFC 3834: no auto-replies, please
	mw := multipart.NewWriter(&b)
	h.Set("Content-Type", "multipart/alternative; boundary="+mw.Boundary())
	writeHeader(&b, h)
	for _, part := range []struct{ typ, body string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		if err := writePart(mw, part.typ, part.body); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// headerOrder is the order headers are written in; textproto.MIMEHeader
// has none.
var headerOrder = []string{"From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Auto-Submitted", "Content-Type"}

func writeHeader(b *bytes.Buffer, h textproto.MIMEHeader) {
	for _, k := range headerOrder {
		fmt.Fprintf(b, "%s: %s\r\n", k, h.Get(k))
	}
	b.WriteString("\r\n")
}

func writePart(mw *multipart.Writer, typ, body string) error {
	pw, err := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {typ + "; charset=utf-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	if err != nil {
		return err
	}
	qp := quotedprintable.NewWriter(pw)
	if _, err := qp.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n"))); err != nil {
		return err
	}
	return qp.Close()
}

// decode reads a Message from an outbox payload.
func decode(payload []byte) (Message, error) {
	var m Message
	if err := json.Unmarshal(payload, &m); err != nil {
		return m, fmt.Errorf("mail payload: %w", err)
	}
	return m, nil
}
