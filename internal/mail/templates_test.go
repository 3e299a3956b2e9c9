package mail

import (
	"html"
	"io/fs"
	"regexp"
	"strings"
	"testing"
	texttemplate "text/template"
	"time"

	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/model"
)

var (
	branded = model.Tenant{ID: "t1", Slug: "bakers", Name: "Guild of Bakers", Issuer: "https://sso.bakers.example",
		PrimaryColor: "#7a1f5c", SupportURL: "https://bakers.example/help", PrivacyURL: "https://bakers.example/privacy",
		LogoType: "image/png", LogoHash: strings.Repeat("ab", 32), DefaultLanguage: "de"}
	plain = model.Tenant{ID: "t2", Slug: "chess", Name: "Chess Club", Issuer: "https://sso.chess.example"}
)

func composeIn(t *testing.T, tenant model.Tenant, lang, name string) Message {
	t.Helper()
	tpl, err := LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	m, err := (&Mailer{Templates: tpl}).Compose(tenant, To{Email: "ada@example.org", Name: "Ada Lovelace", Lang: lang}, name,
		Data{Link: "https://sso.example/account/reset/abc", Valid: 7 * 24 * time.Hour})
	if err != nil {
		t.Fatalf("%s in %s: %v", name, lang, err)
	}
	return m
}

// englishRuns are the runs of English words of every catalogue message
// a mail may hold, long enough not to be a proper name.
func englishRuns() []string {
	split := regexp.MustCompile(`%(\[\d+\])?[a-z]`)
	cat, _ := i18n.Load()
	var out []string
	for _, key := range cat.Keys("en") {
		if !strings.HasPrefix(key, "mail.") && !strings.HasPrefix(key, "layout.") || i18n.Technical(key) {
			continue
		}
		for _, frag := range split.Split(i18n.For("en").T(key), -1) {
			if frag = strings.TrimSpace(frag); len(frag) >= 8 && strings.Contains(frag, " ") {
				out = append(out, frag)
			}
		}
	}
	return out
}

// Every mail renders in every language: subject and both parts in that
// language (no key missing, no English sentence left), <html lang> saying
// which, and the link's lifetime in its words.
func TestEveryMailInEveryLanguage(t *testing.T) {
	english := englishRuns()
	if len(english) < 20 {
		t.Fatalf("only %d English runs: is the catalogue scan broken?", len(english))
	}
	days := map[string]string{"en": "7 days", "fr": "7 jours", "de": "7 Tage", "es": "7 días", "nl": "7 dagen"}
	for _, name := range names {
		for _, lang := range i18n.Languages {
			m := composeIn(t, branded, lang, name)
			body := m.Subject + "\n" + m.Text + "\n" + html.UnescapeString(m.HTML)
			if !strings.Contains(m.HTML, `<html lang="`+lang+`">`) {
				t.Errorf("%s %s: no <html lang=%q>", name, lang, lang)
			}
			if !strings.Contains(m.Text, i18n.For(lang).T("mail.hello", "Ada Lovelace")) {
				t.Errorf("%s %s: no greeting in the text part:\n%s", name, lang, m.Text)
			}
			if (name == TemplatePasswordReset || name == TemplateInvitation) && !strings.Contains(body, days[lang]) {
				t.Errorf("%s %s: the link's lifetime is not %q:\n%s", name, lang, days[lang], m.Text)
			}
			if lang == "en" {
				continue
			}
			for _, frag := range english {
				if strings.Contains(body, frag) {
					t.Errorf("%s %s: English left in the mail: %q", name, lang, frag)
				}
			}
		}
	}
}

// A branded tenant's mail carries its logo (a URL on its issuer, never
// data), its colour and its links; another tenant's carries none of them.
func TestMailBranding(t *testing.T) {
	for _, name := range names {
		m := composeIn(t, branded, "", name)
		logo := `<img src="https://sso.bakers.example/branding/logo/` + branded.LogoHash + `"`
		for _, want := range []string{logo, `href="https://bakers.example/help"`, `href="https://bakers.example/privacy"`, "Guild of Bakers"} {
			if !strings.Contains(m.HTML, want) {
				t.Errorf("%s: the branded mail lacks %q:\n%s", name, want, m.HTML)
			}
		}
		if name != TemplateTest && !strings.Contains(m.HTML, "background:#7a1f5c") {
			t.Errorf("%s: the button is not in the tenant's colour:\n%s", name, m.HTML)
		}
		if !strings.Contains(m.Text, "https://bakers.example/help") || strings.Contains(m.HTML, "data:") {
			t.Errorf("%s: support link in text, or inline data in HTML:\n%s", name, m.Text)
		}
		if !strings.Contains(m.Text, "Hallo Ada Lovelace,") {
			t.Errorf("%s: not in the tenant's default language (German):\n%s", name, m.Text)
		}
		other := composeIn(t, plain, "", name)
		for _, leak := range []string{"<img", "bakers", "#7a1f5c", "Guild of Bakers"} {
			if strings.Contains(other.HTML+other.Text, leak) {
				t.Errorf("%s: another tenant's mail shows %q", name, leak)
			}
		}
		if name != TemplateTest && !strings.Contains(other.HTML, "background:"+defaultColor) {
			t.Errorf("%s: an unbranded mail's button is not the default colour", name)
		}
	}
	if m := composeIn(t, branded, "fr", TemplatePasswordReset); !strings.HasPrefix(m.Subject, "Réinitialisez") {
		t.Errorf("the member's language does not win over the tenant's default: %q", m.Subject)
	}
}

// A key the catalogue lacks fails the render: no mail goes out with a gap.
func TestMissingKeyFailsTheMail(t *testing.T) {
	tpl, err := LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	broken := texttemplate.Must(tpl.text[TemplateTest].Clone())
	texttemplate.Must(broken.New("subject").Parse(`{{.T "mail.no_such_key"}}`))
	tpl.text[TemplateTest] = broken
	_, err = (&Mailer{Templates: tpl}).Compose(plain, To{Email: "ada@example.org"}, TemplateTest, Data{})
	if err == nil || !strings.Contains(err.Error(), "mail.no_such_key") {
		t.Fatalf("a missing key: %v", err)
	}
}

// Templates hold keys, not words; and every key they name exists.
func TestMailTemplatesHoldKeys(t *testing.T) {
	actions := regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	tags := regexp.MustCompile(`(?s)<[^>]*>|&[a-z]+;`)
	letters := regexp.MustCompile(`\p{L}{2,}`)
	key := regexp.MustCompile(`\.T "([^"]+)"`)
	cat, _ := i18n.Load()
	paths, _ := fs.Glob(files, "templates/*")
	if len(paths) < 2*len(names)+2 {
		t.Fatalf("only %d template files", len(paths))
	}
	for _, f := range paths {
		b, _ := fs.ReadFile(files, f)
		for _, m := range key.FindAllStringSubmatch(string(b), -1) {
			if !cat.Has(m[1]) {
				t.Errorf("%s: unknown key %q", f, m[1])
			}
		}
		src := actions.ReplaceAllString(string(b), "")
		if w := letters.FindString(tags.ReplaceAllString(src, " ")); w != "" {
			t.Errorf("%s: text %q in a template; put it in the catalogue", f, w)
		}
	}
}

func TestWrap(t *testing.T) {
	long := "Someone, probably you, asked to reset the password of your account. To choose a new one, open:"
	got := wrap(long+"\n\nhttps://sso.example/"+strings.Repeat("x", 90)+"\n-- ", 40)
	for _, line := range strings.Split(got, "\n") {
		if len(line) > 40 && !strings.HasPrefix(line, "https://") {
			t.Errorf("line of %d: %q", len(line), line)
		}
	}
	if !strings.HasSuffix(got, "\n-- ") || strings.Join(strings.Fields(got), " ") != strings.Join(strings.Fields(long+" https://sso.example/"+strings.Repeat("x", 90)+" --"), " ") {
		t.Errorf("wrap changed the words:\n%s", got)
	}
}
