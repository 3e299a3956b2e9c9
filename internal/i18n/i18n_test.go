package i18n

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func catalogue(t *testing.T) *Catalogue {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Every language defines exactly the keys English does: a key missing in
// one language, or left over from an old text, fails here.
func TestEveryLanguageHasEveryKey(t *testing.T) {
	c := catalogue(t)
	ref := c.Keys(Default)
	if len(ref) < 100 {
		t.Fatalf("English catalogue has only %d keys", len(ref))
	}
	for _, lang := range Languages[1:] {
		got := c.Keys(lang)
		for _, k := range ref {
			if !slices.Contains(got, k) {
				t.Errorf("%s: missing key %s", lang, k)
			}
		}
		for _, k := range got {
			if !slices.Contains(ref, k) {
				t.Errorf("%s: key %s is not in the English catalogue", lang, k)
			}
		}
	}
}

var verb = regexp.MustCompile(`%(\[\d+\])?[a-z%]`)

// verbs lists a message's formatting verbs, numbered, so "%s %s" and
// "%[1]s %[2]s" compare equal and a dropped or swapped verb does not.
func verbs(s string) []string {
	var out []string
	n := 0
	for _, m := range verb.FindAllStringSubmatch(s, -1) {
		if m[0] == "%%" {
			continue
		}
		v := m[0][len(m[0])-1:]
		if m[1] != "" {
			out = append(out, m[1]+v)
			continue
		}
		n++
		out = append(out, "["+string(rune('0'+n))+"]"+v)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// rawEntries reads a language file as written: key → each text it holds
// (one, or one per plural form).
func rawEntries(t *testing.T, lang string) map[string][]string {
	t.Helper()
	b, err := localeFS.ReadFile("locales/" + lang + ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := yaml.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for k, v := range raw {
		switch v := v.(type) {
		case string:
			out[k] = []string{v}
		case map[string]any:
			for _, s := range v {
				out[k] = append(out[k], s.(string))
			}
		}
	}
	return out
}

// A translation keeps the English text's values: the same verbs, and the
// same markup in a .html message (so a translator cannot drop an argument
// or open a tag the page does not expect).
func TestTranslationsKeepVerbsAndMarkup(t *testing.T) {
	tag := regexp.MustCompile(`</?[a-z]+[^>]*>`)
	en := rawEntries(t, Default)
	for _, lang := range Languages[1:] {
		for k, texts := range rawEntries(t, lang) {
			want := verbs(en[k][0])
			for _, s := range texts {
				if got := verbs(s); !slices.Equal(got, want) && !strings.HasPrefix(k, "month.") {
					t.Errorf("%s %s: verbs %v, English has %v", lang, k, got, want)
				}
				gotTags, wantTags := tag.FindAllString(s, -1), tag.FindAllString(en[k][0], -1)
				if !slices.Equal(gotTags, wantTags) {
					t.Errorf("%s %s: markup %v, English has %v", lang, k, gotTags, wantTags)
				}
				if !HTMLKey(k) && strings.ContainsAny(s, "<>") {
					t.Errorf("%s %s: markup in a message whose key does not end in .html", lang, k)
				}
			}
		}
	}
}

func TestChoose(t *testing.T) {
	cases := []struct{ ui, accept, fallback, want string }{
		{"", "", "", "en"},
		{"", "", "nl", "nl"},
		{"", "", "xx", "en"},
		{"", "de-DE,de;q=0.9,en;q=0.5", "en", "de"},
		{"fr-CA", "de-DE,de;q=0.9", "en", "fr"},      // ui_locales wins over Accept-Language
		{"ja es", "de", "en", "es"},                  // first ui_locale we speak
		{"ja", "nl-BE,nl;q=0.9", "en", "nl"},         // none spoken: on to Accept-Language
		{"ja", "zh-CN,zh;q=0.9", "fr", "fr"},         // then the tenant's default
		{"!!", "not a header", "es", "es"},           // garbage is passed over
		{"", "en-GB;q=0.2,es-MX;q=0.8", "fr", "es"},  // quality values order the browser's list
		{strings.Repeat("fr ", 500), "", "de", "de"}, // an absurd ui_locales is ignored
	}
	for _, c := range cases {
		if got := Choose(c.ui, c.accept, c.fallback); got != c.want {
			t.Errorf("Choose(%q, %q, %q) = %q, want %q", c.ui, c.accept, c.fallback, got, c.want)
		}
	}
}

// TestFromAcceptLanguage: a language list names one of ours by its close
// variants, names none when it speaks only languages we do not, and is an
// error when it is not a list of BCP 47 tags.
func TestFromAcceptLanguage(t *testing.T) {
	cases := []struct {
		in, want string
		ok, err  bool
	}{
		{"nl-NL", "nl", true, false},
		{"en_US", "en", true, false}, // the parser's own leniency
		{"da, de-AT;q=0.8, en;q=0.7", "de", true, false},
		{"ja-JP", "", false, false},
		{"", "", false, false},
		{"not a tag!!", "", false, true},
		{"fr;q=abc", "", false, true},
		{strings.Repeat("fr,", 400), "", false, true},
	}
	for _, c := range cases {
		got, ok, err := FromAcceptLanguage(c.in)
		if got != c.want || ok != c.ok || (err != nil) != c.err {
			t.Errorf("FromAcceptLanguage(%.20q) = %q, %v, %v; want %q, %v, error %v", c.in, got, ok, err, c.want, c.ok, c.err)
		}
	}
}

func TestDatesAndNumbersFollowTheLanguage(t *testing.T) {
	d := time.Date(2026, time.December, 6, 15, 4, 0, 0, time.UTC)
	want := map[string][3]string{
		"en": {"6 December 2026", "6 December 2026 at 15:04", "1,234,567"},
		"fr": {"6 décembre 2026", "6 décembre 2026 à 15:04", "1\u00a0234\u00a0567"},
		"de": {"6. Dezember 2026", "6. Dezember 2026 um 15:04 Uhr", "1.234.567"},
		"es": {"6 de diciembre de 2026", "6 de diciembre de 2026 a las 15:04", "1.234.567"},
		"nl": {"6 december 2026", "6 december 2026 om 15:04", "1.234.567"},
	}
	for lang, w := range want {
		l := For(lang)
		if got := [3]string{l.Date(d), l.DateTime(d), l.Number(1234567)}; got != w {
			t.Errorf("%s: got %q, want %q", lang, got, w)
		}
	}
}

func TestPluralsFollowTheLanguage(t *testing.T) {
	cases := []struct {
		lang string
		n    int
		want string
	}{
		{"en", 1, "in 1 second."}, {"en", 0, "in 0 seconds."}, {"en", 30, "in 30 seconds."},
		{"fr", 0, "dans 0 seconde."}, {"fr", 1, "dans 1 seconde."}, {"fr", 2, "dans 2 secondes."}, // French: 0 is singular
		{"de", 1, "in 1 Sekunde erneut."}, {"de", 5, "in 5 Sekunden erneut."},
	}
	for _, c := range cases {
		if got := For(c.lang).T("login.error.throttled", c.n); !strings.HasSuffix(got, c.want) {
			t.Errorf("%s %d: %q, want …%q", c.lang, c.n, got, c.want)
		}
	}
}

func TestMessages(t *testing.T) {
	m := M("form.required", M("admin_setup.name"))
	if got := m.String(); got != "Your name is required." {
		t.Errorf("English: %q", got)
	}
	if got := For("fr").Msg(m); got != "Le champ « Votre nom » est obligatoire." {
		t.Errorf("French: %q", got)
	}
	if got := For("de").Msg(Raw("as is")); got != "as is" {
		t.Errorf("raw: %q", got)
	}
	if got := For("nl").T("no.such.key"); got != "[missing: no.such.key]" {
		t.Errorf("missing key renders %q", got)
	}
	if For("xx").Lang != "en" {
		t.Error("unknown language does not fall back to English")
	}
}

// A message copied into another language without being translated is
// caught: only technical ones may read the same as English.
func TestTranslationsDifferFromEnglish(t *testing.T) {
	c := catalogue(t)
	en := For(Default)
	for _, lang := range Languages[1:] {
		l := For(lang)
		for _, k := range c.Keys(Default) {
			if !Technical(k) && l.T(k, 2, 3) == en.T(k, 2, 3) {
				t.Errorf("%s %s is the English text: %q", lang, k, en.T(k, 2, 3))
			}
		}
	}
}
