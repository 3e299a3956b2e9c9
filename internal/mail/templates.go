package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/guildgate/guildgate/internal/i18n"
)

//go:embed templates
var files embed.FS

// The mails Guildgate sends; each is templates/<name>.txt (its "subject"
// and "text") and templates/<name>.html (its "content", inside the
// layout). Templates hold catalogue keys, never words: {{.T "mail.<name>.…"}}
// (package i18n), so every mail exists in every language; the tests render
// each one in each language and fail on a missing key or English left over.
const (
	TemplateTest          = "test"
	TemplatePasswordReset = "password_reset"
	TemplateInvitation    = "invitation"
	// TemplateVerifyEmail carries a link that proves an address: the
	// member's own, or the new one they asked for.
	TemplateVerifyEmail = "verify_email"
	// TemplateSecurityNotice tells the member that how they sign in
	// changed (Data.Change says what; package notices sends it).
	TemplateSecurityNotice = "security_notice"
	// TemplateWebhookDisabled tells a site's administrators that a webhook
	// endpoint was disabled after 3 days of failed deliveries (Data.Endpoint
	// names it; Link opens it in the console).
	TemplateWebhookDisabled = "webhook_disabled"
)

var names = []string{TemplateTest, TemplatePasswordReset, TemplateInvitation, TemplateVerifyEmail, TemplateSecurityNotice,
	TemplateWebhookDisabled}

// Data is what a template may show. Every value is escaped for HTML by
// html/template; the text part is plain text and needs none.
type Data struct {
	Name  string        // the recipient's name
	Link  string        // the one action the mail offers
	Valid time.Duration // how long Link works
	// Change is what a security notice is about (a notices.Change).
	Change string
	// NewEmail is the address a member asked to move to, for the notice
	// their old address gets.
	NewEmail string
	// Endpoint is the URL of the webhook endpoint a notice is about.
	Endpoint string

	// Set by Mailer.Compose from the tenant and the recipient:
	Site  string // the tenant's name
	Email string // the recipient's address
	Brand Brand
	l     *i18n.Localizer
}

// Brand is the tenant's look in a mail. The logo is a URL on the tenant's
// issuer, never an attachment or inline data: mail readers fetch it like
// any image, and it is the very image the pages show.
type Brand struct {
	LogoURL    string
	Color      string // buttons and links, #rrggbb
	SupportURL string
	PrivacyURL string
}

// defaultColor is the button colour of a tenant that chose none: the
// pages' own accent, on which white text reads at 6.7:1.
const defaultColor = "#1d4ed8"

// Lang is the mail's language, for <html lang>.
func (d Data) Lang() string { return d.loc().Lang }

// T is the message key in the mail's language.
func (d Data) T(key string, args ...any) string { return d.loc().T(key, args...) }

// ValidFor is how long Link works, in words of the mail's language:
// whole days from two days up, else hours (at least one).
func (d Data) ValidFor() string {
	h := int(d.Valid.Round(time.Hour) / time.Hour)
	switch {
	case h >= 48 && h%24 == 0:
		return d.T("mail.valid.days", h/24)
	case h < 1:
		h = 1
	}
	return d.T("mail.valid.hours", h)
}

func (d Data) loc() *i18n.Localizer {
	if d.l == nil {
		return i18n.For(i18n.Default)
	}
	return d.l
}

// Templates are the parsed mails, parsed once at start.
type Templates struct {
	text map[string]*texttemplate.Template
	html map[string]*htmltemplate.Template
}

// LoadTemplates parses every mail; an error is a bug in an embedded file.
func LoadTemplates() (*Templates, error) {
	t := &Templates{text: map[string]*texttemplate.Template{}, html: map[string]*htmltemplate.Template{}}
	for _, n := range names {
		txt, err := texttemplate.New(n).Option("missingkey=error").ParseFS(files, "templates/layout.txt", "templates/"+n+".txt")
		if err != nil {
			return nil, fmt.Errorf("mail template %s: %w", n, err)
		}
		h, err := htmltemplate.New(n).Option("missingkey=error").ParseFS(files, "templates/layout.html", "templates/"+n+".html")
		if err != nil {
			return nil, fmt.Errorf("mail template %s: %w", n, err)
		}
		// The HTML part shares the text file's subject and any part it
		// defines for both (a notice's sentence), escaped as HTML there: on
		// copies, since html/template rewrites the trees it escapes.
		for _, part := range txt.Templates() {
			if part.Name() == "text" || part.Name() == "layout" || part.Name() == n || part.Tree == nil {
				continue
			}
			if _, err := h.AddParseTree(part.Name(), part.Tree.Copy()); err != nil {
				return nil, fmt.Errorf("mail template %s: %w", n, err)
			}
		}
		t.text[n], t.html[n] = txt, h
	}
	return t, nil
}

// Render fills mail name with d: its subject, plain text and HTML. A
// message key missing from the catalogue is an error, not a mail with a
// gap in it.
func (t *Templates) Render(name string, d Data) (subject, text, html string, err error) {
	txt, ok := t.text[name]
	if !ok {
		return "", "", "", fmt.Errorf("mail template %q does not exist", name)
	}
	var s, b, h bytes.Buffer
	if err := txt.ExecuteTemplate(&s, "subject", d); err != nil {
		return "", "", "", fmt.Errorf("mail %s subject: %w", name, err)
	}
	if err := txt.ExecuteTemplate(&b, "layout", d); err != nil {
		return "", "", "", fmt.Errorf("mail %s text: %w", name, err)
	}
	if err := t.html[name].ExecuteTemplate(&h, "layout", d); err != nil {
		return "", "", "", fmt.Errorf("mail %s html: %w", name, err)
	}
	for _, part := range []string{s.String(), b.String(), h.String()} {
		if i := strings.Index(part, "[missing: "); i >= 0 {
			return "", "", "", fmt.Errorf("mail %s in %s: catalogue key %s", name, d.Lang(), part[i:i+strings.IndexByte(part[i:], ']')+1])
		}
	}
	return strings.TrimSpace(s.String()), wrap(strings.TrimLeft(b.String(), "\n"), 72), h.String(), nil
}

// wrap breaks the text part's long lines at spaces, so it reads well in
// a mail reader that does not wrap; a word longer than width (a link)
// stays whole on its own line.
func wrap(text string, width int) string {
	var out strings.Builder
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			out.WriteByte('\n')
		}
		if len([]rune(line)) <= width {
			out.WriteString(line)
			continue
		}
		n := 0
		for j, word := range strings.Fields(line) {
			w := len([]rune(word))
			if j > 0 && n+1+w > width {
				out.WriteByte('\n')
				n = 0
			} else if j > 0 {
				out.WriteByte(' ')
				n++
			}
			out.WriteString(word)
			n += w
		}
	}
	return out.String()
}
