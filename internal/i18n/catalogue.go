package i18n

import (
	"embed"
	"fmt"
	"sort"
	"sync"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

//go:embed locales/*.yaml
var localeFS embed.FS

// pluralForms are the CLDR plural categories a catalogue entry may give;
// "other" is required, as every language has it.
var pluralForms = []string{"zero", "one", "two", "few", "many", "other"}

// Catalogue is the parsed message files.
type Catalogue struct {
	builder *catalog.Builder
	keys    map[string]map[string]bool // language → keys it defines
	tags    []language.Tag             // Languages, parsed
	matcher language.Matcher
	loc     map[string]*Localizer
}

var load = sync.OnceValues(parse)

// Load parses the embedded catalogue (once). Call it at start-up so a
// broken file stops the start rather than a page.
func Load() (*Catalogue, error) { return load() }

// must is the catalogue for code that runs after Load succeeded; the
// embedded files are tested, so a failure here is a broken build.
func must() *Catalogue {
	c, err := load()
	if err != nil {
		panic(err)
	}
	return c
}

func parse() (*Catalogue, error) {
	c := &Catalogue{builder: catalog.NewBuilder(catalog.Fallback(language.English)),
		keys: map[string]map[string]bool{}, loc: map[string]*Localizer{}}
	for _, lang := range Languages {
		tag := language.MustParse(lang)
		c.tags = append(c.tags, tag)
		if err := c.parseFile(lang, tag); err != nil {
			return nil, err
		}
	}
	c.matcher = language.NewMatcher(c.tags)
	for i, lang := range Languages {
		c.loc[lang] = &Localizer{Lang: lang, c: c, p: message.NewPrinter(c.tags[i], message.Catalog(c.builder))}
	}
	return c, nil
}

func (c *Catalogue) parseFile(lang string, tag language.Tag) error {
	name := "locales/" + lang + ".yaml"
	b, err := localeFS.ReadFile(name)
	if err != nil {
		return fmt.Errorf("i18n: %w", err)
	}
	var entries map[string]yaml.Node
	if err := yaml.Unmarshal(b, &entries); err != nil {
		return fmt.Errorf("i18n: %s: %w", name, err)
	}
	c.keys[lang] = map[string]bool{}
	for key, node := range entries {
		msg, err := entry(&node)
		if err != nil {
			return fmt.Errorf("i18n: %s: %s (line %d): %w", name, key, node.Line, err)
		}
		if err := c.builder.Set(tag, key, msg); err != nil {
			return fmt.Errorf("i18n: %s: %s: %w", name, key, err)
		}
		c.keys[lang][key] = true
	}
	return nil
}

// entry is one message: a string, or a mapping from plural category to
// string, chosen by the first argument.
func entry(n *yaml.Node) (catalog.Message, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		return catalog.String(n.Value), nil
	case yaml.MappingNode:
		forms := map[string]string{}
		if err := n.Decode(&forms); err != nil {
			return nil, err
		}
		if _, ok := forms["other"]; !ok {
			return nil, fmt.Errorf("a plural message needs an \"other\" form")
		}
		var cases []any
		for _, f := range pluralForms {
			if s, ok := forms[f]; ok {
				cases = append(cases, f, s)
				delete(forms, f)
			}
		}
		for f := range forms {
			return nil, fmt.Errorf("unknown plural form %q (use %v)", f, pluralForms)
		}
		return plural.Selectf(1, "%d", cases...), nil
	}
	return nil, fmt.Errorf("a message is a string or a mapping of plural forms")
}

// Keys lists the keys lang defines, sorted.
func (c *Catalogue) Keys(lang string) []string {
	out := make([]string, 0, len(c.keys[lang]))
	for k := range c.keys[lang] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Has reports whether the English catalogue, the reference, defines key.
func (c *Catalogue) Has(key string) bool { return c.keys[Default][key] }
