package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
)

//go:embed templates
var files embed.FS

// The mails Guildgate sends; each is templates/<name>.txt (its "subject"
// and "text") and templates/<name>.html (its "content", inside the layout).
const (
	TemplateTest            = "test"
	TemplatePasswordReset   = "password_reset"
	TemplateInvitation      = "invitation"
	TemplatePasswordChanged = "password_changed"
)

var names = []string{TemplateTest, TemplatePasswordReset, TemplateInvitation, TemplatePasswordChanged}

// Data is what a template may show. Every value is escaped for HTML by
// html/template; the text part is plain text and needs none.
type Data struct {
	Site  string // the tenant's name
	Name  string // the recipient's name
	Email string // the recipient's address
	Link  string // the one action the mail offers
	Valid string // how long Link works, in words ("1 hour")
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
		txt, err := texttemplate.New(n).Option("missingkey=error").ParseFS(files, "templates/"+n+".txt")
		if err != nil {
			return nil, fmt.Errorf("mail template %s: %w", n, err)
		}
		h, err := htmltemplate.New(n).Option("missingkey=error").ParseFS(files, "templates/layout.html", "templates/"+n+".html")
		if err != nil {
			return nil, fmt.Errorf("mail template %s: %w", n, err)
		}
		if _, err := h.AddParseTree("subject", txt.Lookup("subject").Tree); err != nil {
			return nil, fmt.Errorf("mail template %s: %w", n, err)
		}
		t.text[n], t.html[n] = txt, h
	}
	return t, nil
}

// Render fills mail name with d: its subject, plain text and HTML.
func (t *Templates) Render(name string, d Data) (subject, text, html string, err error) {
	txt, ok := t.text[name]
	if !ok {
		return "", "", "", fmt.Errorf("mail template %q does not exist", name)
	}
	var s, b, h bytes.Buffer
	if err := txt.ExecuteTemplate(&s, "subject", d); err != nil {
		return "", "", "", fmt.Errorf("mail %s subject: %w", name, err)
	}
	if err := txt.ExecuteTemplate(&b, "text", d); err != nil {
		return "", "", "", fmt.Errorf("mail %s text: %w", name, err)
	}
	if err := t.html[name].ExecuteTemplate(&h, "layout", d); err != nil {
		return "", "", "", fmt.Errorf("mail %s html: %w", name, err)
	}
	return strings.TrimSpace(s.String()), strings.TrimLeft(b.String(), "\n"), h.String(), nil
}
