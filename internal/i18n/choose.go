package i18n

import (
	"fmt"
	"strings"

	"golang.org/x/text/language"
)

// maxHeader bounds what is handed to the BCP 47 parsers; real
// Accept-Language headers and ui_locales values are far shorter.
const maxHeader = 1024

// Choose picks the language of a page: the first of the member's
// ui_locales (OpenID Connect Core §3.1.2.1: space-separated BCP 47 tags,
// in order of preference) that we speak, else the best match of their
// browser's Accept-Language, else fallback (the tenant's default). Close
// variants count (fr-CA gets French); a language we do not speak at all is
// passed over, not forced onto English.
func Choose(uiLocales, acceptLanguage, fallback string) string {
	c := must()
	if lang, ok := c.match(parseList(uiLocales)); ok {
		return lang
	}
	if len(acceptLanguage) <= maxHeader {
		if tags, _, err := language.ParseAcceptLanguage(acceptLanguage); err == nil {
			if lang, ok := c.match(tags); ok {
				return lang
			}
		}
	}
	if Supported(fallback) {
		return fallback
	}
	return Default
}

// FromUILocales is the first language of ui_locales that we speak (close
// variants count), or false when it names none.
func FromUILocales(uiLocales string) (string, bool) {
	return must().match(parseList(uiLocales))
}

// FromAcceptLanguage is the language of ours that best fits an
// Accept-Language value (RFC 9110 §12.5.4; SCIM's preferredLanguage has
// its form, RFC 7643 §4.1.1), matched as Choose matches the header: close
// variants count (nl-NL gets Dutch). False when it names none we speak or
// is empty; an error when it is not such a value at all.
func FromAcceptLanguage(s string) (string, bool, error) {
	if len(s) > maxHeader {
		return "", false, fmt.Errorf("i18n: a language list longer than %d bytes", maxHeader)
	}
	tags, _, err := language.ParseAcceptLanguage(s)
	if err != nil {
		return "", false, fmt.Errorf("i18n: %w", err)
	}
	lang, ok := must().match(tags)
	return lang, ok, nil
}

// parseList parses a ui_locales value, skipping tags that do not parse.
func parseList(s string) []language.Tag {
	if len(s) > maxHeader {
		return nil
	}
	var tags []language.Tag
	for _, f := range strings.Fields(s) {
		if t, err := language.Parse(f); err == nil {
			tags = append(tags, t)
		}
	}
	return tags
}

// match returns the language of ours that best fits tags, in their order
// of preference; false when none is even a close fit.
func (c *Catalogue) match(tags []language.Tag) (string, bool) {
	if len(tags) == 0 {
		return "", false
	}
	_, i, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return "", false
	}
	return Languages[i], true
}
