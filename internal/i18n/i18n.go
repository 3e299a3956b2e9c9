// Package i18n holds every member-facing sentence in the languages
// Guildgate speaks, and decides which of them a request gets. The words live
// in plain YAML files under locales/, one per language, so a translator can
// edit them without reading Go; templates and handlers hold keys, never
// English. Language matching is golang.org/x/text/language's (BCP 47 and
// CLDR rules), formatting golang.org/x/text/message's, so plurals and digit
// grouping follow each language.
//
// The catalogue is embedded data, parsed once on first use; Load reports a
// broken file at start-up, and the package's tests fail on a key missing in
// any language or used without existing.
package i18n

import (
	"fmt"
	"strings"
)

// Languages are the languages every member-facing page exists in, by
// BCP 47 base tag. English comes first: it is the last fallback.
var Languages = []string{"en", "fr", "de", "es", "nl"}

// names are the languages' names in themselves (endonyms).
var names = map[string]string{"en": "English", "fr": "Français", "de": "Deutsch", "es": "Español", "nl": "Nederlands"}

// Name is lang's name in lang itself: how its speakers find it in a list.
func Name(lang string) string { return names[lang] }

// Default is the language of a tenant that chose none.
const Default = "en"

// Supported reports whether lang is one of Languages.
func Supported(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Message is a sentence to show a member, named by its catalogue key with
// the values it mentions, so it can be rendered in the language of whoever
// reads it. A Message without a key is text that has no translation (words
// from a partner's system); it is shown as it is.
type Message struct {
	Key  string
	Args []any
	Text string // only when Key is empty
}

// M names the catalogue message key with args.
func M(key string, args ...any) Message { return Message{Key: key, Args: args} }

// Raw wraps text that has no catalogue key.
func Raw(text string) Message { return Message{Text: text} }

// IsZero reports whether m says nothing.
func (m Message) IsZero() bool { return m.Key == "" && m.Text == "" }

// String is m in English, for logs and plain-text answers.
func (m Message) String() string { return For(Default).Msg(m) }

// HTMLKey reports whether key names a message that holds markup: only such
// messages are rendered unescaped (their arguments always are escaped).
func HTMLKey(key string) bool { return strings.HasSuffix(key, ".html") }

// errMissing describes a key absent from the catalogue; it is what a page
// shows instead of text, so a test or a reader spots it at once.
func missing(key string) string { return fmt.Sprintf("[missing: %s]", key) }

// technical are the messages whose text may read the same in English and
// another language: formats, protocol names, words languages share
// ("April", "Privacy", "Error %d"). Every other message must differ from
// English in every language, which the tests check, so a text copied
// untranslated is caught.
var technical = []string{"format.", "month.", "form.join", "setup.auth_method.basic", "setup.finding.ok",
	"layout.privacy", "error.status", "setup.jwks_url", "link.kind.link", "setup.token_url", "setup.finding.problem", "code.label",
	"mail.privacy_text"}

// Technical reports whether key may read the same in English and another
// language.
func Technical(key string) bool {
	for _, p := range technical {
		if key == p || (strings.HasSuffix(p, ".") && strings.HasPrefix(key, p)) {
			return true
		}
	}
	return false
}
