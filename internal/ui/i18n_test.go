package ui

import (
	"html"
	"io/fs"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"text/template/parse"
	"time"

	"github.com/guildgate/guildgate/internal/i18n"
)

// keyUse is one message a template prints: through T (plain text) or TH
// (markup), with a literal key.
type keyUse struct{ fn, key string }

// templateTrees parses every template file on its own, as text, so the
// test sees each action as written.
func templateTrees(t *testing.T) map[string]*parse.Tree {
	t.Helper()
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*parse.Tree{}
	funcs := map[string]any{"static": "", "site": ""}
	for _, f := range files {
		b, err := templateFS.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		trees, err := parse.Parse(f, string(b), "{{", "}}", funcs, builtins)
		if err != nil {
			t.Fatal(err)
		}
		for name, tree := range trees {
			out[f+":"+name] = tree
		}
	}
	return out
}

var builtins = map[string]any{"and": "", "or": "", "not": "", "len": "", "index": "", "eq": "", "ne": "", "lt": "",
	"le": "", "gt": "", "ge": "", "print": "", "printf": "", "println": "", "html": "", "js": "", "urlquery": "",
	"call": "", "slice": ""}

// walk visits every node under n.
func walk(n parse.Node, visit func(parse.Node)) {
	if n == nil {
		return
	}
	visit(n)
	switch n := n.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				walk(c, visit)
			}
		}
	case *parse.ActionNode:
		walk(n.Pipe, visit)
	case *parse.PipeNode:
		if n != nil {
			for _, c := range n.Cmds {
				walk(c, visit)
			}
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			walk(a, visit)
		}
	case *parse.IfNode:
		walk(n.Pipe, visit)
		walk(n.List, visit)
		walk(n.ElseList, visit)
	case *parse.RangeNode:
		walk(n.Pipe, visit)
		walk(n.List, visit)
		walk(n.ElseList, visit)
	case *parse.WithNode:
		walk(n.Pipe, visit)
		walk(n.List, visit)
		walk(n.ElseList, visit)
	case *parse.TemplateNode:
		walk(n.Pipe, visit)
	}
}

// method is the last name of a field or variable chain (.T, $.T).
func method(n parse.Node) string {
	switch n := n.(type) {
	case *parse.FieldNode:
		return n.Ident[len(n.Ident)-1]
	case *parse.VariableNode:
		return n.Ident[len(n.Ident)-1]
	}
	return ""
}

// Every key a template prints exists in the catalogue, is written as a
// literal (so this test sees it), and is printed the right way: markup
// only from .html keys through TH, plain text through T.
func TestTemplatesUseKnownKeys(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	used := 0
	for name, tree := range templateTrees(t) {
		walk(tree.Root, func(n parse.Node) {
			cmd, ok := n.(*parse.CommandNode)
			if !ok || len(cmd.Args) == 0 {
				return
			}
			fn := method(cmd.Args[0])
			if fn != "T" && fn != "TH" {
				return
			}
			if len(cmd.Args) < 2 {
				t.Errorf("%s: %s without a key", name, fn)
				return
			}
			key, ok := cmd.Args[1].(*parse.StringNode)
			if !ok {
				t.Errorf("%s: %s with a key that is not a literal: %s", name, fn, cmd)
				return
			}
			used++
			if !cat.Has(key.Text) {
				t.Errorf("%s: unknown key %q", name, key.Text)
			}
			if (fn == "TH") != i18n.HTMLKey(key.Text) {
				t.Errorf("%s: %s %q: markup keys end in .html and go through TH, others through T", name, fn, key.Text)
			}
		})
	}
	if used < 50 {
		t.Fatalf("only %d keys found in the templates: is the walk broken?", used)
	}
}

// Templates hold keys, not words: with actions and tags taken out, what
// is left is space and punctuation, and no attribute a reader hears
// (aria-label, title, alt, placeholder) holds words.
func TestTemplatesHoldNoText(t *testing.T) {
	actions := regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	tags := regexp.MustCompile(`(?s)<[^>]*>|&[a-z]+;`)
	letters := regexp.MustCompile(`\p{L}{2,}`)
	spoken := regexp.MustCompile(`(aria-label|title|alt|placeholder)="[^"]*\p{L}`)
	files, _ := fs.Glob(templateFS, "templates/*.html")
	for _, f := range files {
		b, _ := templateFS.ReadFile(f)
		src := actions.ReplaceAllString(string(b), "")
		if m := spoken.FindString(src); m != "" {
			t.Errorf("%s: words in an attribute: %s", f, m)
		}
		if w := letters.FindString(tags.ReplaceAllString(src, " ")); w != "" {
			t.Errorf("%s: text %q in a template; put it in the catalogue", f, w)
		}
	}
}

// withLanguage returns a copy of a sample page with its frame set to lang.
func withLanguage(data any, lang string) any {
	v := reflect.New(reflect.TypeOf(data)).Elem()
	v.Set(reflect.ValueOf(data))
	v.FieldByName("Page").FieldByName("L").Set(reflect.ValueOf(i18n.For(lang)))
	return v.Interface()
}

// englishFragments are the runs of English text between the values and
// markup of every catalogue message, long enough to be words and not a
// proper name, with what each language says instead.
func englishFragments(t *testing.T) []string {
	split := regexp.MustCompile(`%(\[\d+\])?[a-z]|<[^>]*>`)
	en := i18n.For("en")
	var out []string
	cat, _ := i18n.Load()
	for _, key := range cat.Keys("en") {
		if i18n.Technical(key) {
			continue
		}
		for _, frag := range split.Split(en.T(key), -1) {
			frag = strings.TrimSpace(frag)
			if len(frag) >= 8 && strings.Contains(frag, " ") {
				out = append(out, frag)
			}
		}
	}
	return out
}

// Every page renders in every language: <html lang> says which, no key is
// missing, and no English sentence is left on a page in another language.
func TestEveryPageInEveryLanguage(t *testing.T) {
	u := newUI(t)
	english := englishFragments(t)
	all := map[string][]any{}
	for _, name := range pageNames {
		all[name] = []any{samples[name]}
	}
	for name, s := range accountSamples {
		all[name] = s
	}
	for name, s := range mfaSamples {
		all[name] = s
	}
	for name, s := range deviceSamples {
		all[name] = s
	}
	for name, datas := range all {
		for i, data := range datas {
			for _, lang := range i18n.Languages {
				_, body := render(t, u, name, withLanguage(data, lang))
				text := html.UnescapeString(body)
				if !strings.Contains(body, `<html lang="`+lang+`">`) {
					t.Errorf("%s #%d %s: no <html lang=%q>", name, i, lang, lang)
				}
				if strings.Contains(text, "[missing:") {
					t.Errorf("%s #%d %s: a key is missing:\n%s", name, i, lang, text)
				}
				if lang == "en" {
					continue
				}
				for _, frag := range english {
					if strings.Contains(text, frag) {
						t.Errorf("%s #%d %s: English left on the page: %q", name, i, lang, frag)
					}
				}
			}
		}
	}
}

// mfaSamples are the second-factor pages in each of their states.
var mfaSamples = map[string][]any{
	PageLoginCode: {
		LoginCode{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Action: "/login/code", Email: "ann@example.org", CancelURL: "/login",
			ShowCode: true},
		LoginCode{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Action: "/login/code", Email: "ann@example.org", CancelURL: "/login",
			Error: i18n.M("code.error.incorrect"), ShowCode: true},
		LoginCode{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Action: "/login/code", Email: "ann@example.org", CancelURL: "/login",
			ShowCode: true, Passkey: &PasskeyForm{Options: "{}", State: "s"}, PasskeyAction: "/login/code/passkey"},
		LoginCode{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Action: "/login/code", Email: "ann@example.org", CancelURL: "/login",
			Need: "passkey", Passkey: &PasskeyForm{Options: "{}", State: "s"}, PasskeyAction: "/login/code/passkey",
			Error: i18n.M("passkey.error.refused")},
	},
	PageSecurity: {
		Security{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Email: "ann@example.org"},
		Security{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Email: "ann@example.org", TOTP: true,
			TOTPSince: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), RecoveryLeft: 7, MayChange: true, Notice: i18n.M("security.removed"),
			ContinueURL: "/oauth/authorize?x=1"},
		Security{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Email: "ann@example.org", TOTP: true,
			TOTPSince: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), RecoveryLeft: 1, StepUpURL: "/login/code?return_to=%2Faccount%2Fsecurity"},
		Security{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Email: "ann@example.org", MayChange: true, MayAdd: true,
			Notice: i18n.M("security.passkeys.saved", "Laptop"), Passkeys: []PasskeyRow{
				{ID: "a", Name: "Laptop", CreatedAt: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)},
				{ID: "b", Name: "Key", CreatedAt: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), LastUsedAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}}},
		Security{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Email: "ann@example.org", MayAdd: true,
			Notice: i18n.M("security.passkeys.renamed", "Laptop"), Passkeys: []PasskeyRow{
				{ID: "a", Name: "Laptop", CreatedAt: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}},
			Rename: RenameForm{ID: "a", Name: "", Error: i18n.M("passkey.error.name")}},
	},
	PageSecurityPasskey: {
		SecurityPasskey{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Options: `{"challenge":"AAAA"}`, State: "s"},
		SecurityPasskey{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Options: `{"challenge":"AAAA"}`, State: "s", Name: "Laptop",
			Error: i18n.M("passkey.error.refused")},
	},
	PageSecurityTOTP: {
		SecurityTOTP{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", QR: "<svg></svg>", Secret: "ABCD EFGH", Pending: "p",
			Required: true, Error: i18n.M("totp.error.incorrect")},
	},
	PageSecurityCodes: {SecurityCodes{Page: Page{Site: "Guild of Bakers"}, Codes: []string{"abcd-efgh"}, ContinueURL: "/account/security"}},
	PageSecurityConfirm: {SecurityConfirm{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok"},
		SecurityConfirm{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Passkey: &PasskeyRow{ID: "a", Name: "Laptop"}}},
}

// The security page gives its dates in the reader's language.
func TestSecurityPageDates(t *testing.T) {
	for lang, want := range map[string]string{"en": "1 March 2026", "fr": "1 mars 2026", "de": "1. März 2026",
		"es": "1 de marzo de 2026", "nl": "1 maart 2026"} {
		_, body := render(t, newUI(t), PageSecurity, withLanguage(mfaSamples[PageSecurity][1], lang))
		if !strings.Contains(body, want) {
			t.Errorf("%s: no %q in\n%s", lang, want, body)
		}
	}
}

// The member's page gives the times of their sessions and apps in the
// reader's language.
func TestAccountPageDates(t *testing.T) {
	for lang, want := range map[string]string{"en": "1 March 2026 at 12:00", "fr": "1 mars 2026 à 12:00",
		"de": "1. März 2026 um 12:00 Uhr", "es": "1 de marzo de 2026 a las 12:00", "nl": "1 maart 2026 om 12:00"} {
		_, body := render(t, newUI(t), PageHome, withLanguage(accountSamples[PageHome][0], lang))
		if n := strings.Count(body, want); n != 5 { // two sessions (since, last seen) and an app
			t.Errorf("%s: %q appears %d times, want 5:\n%s", lang, want, n, body)
		}
	}
}
