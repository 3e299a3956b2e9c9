package directory

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode"

	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/inputs"
	"github.com/guildgate/guildgate/internal/model"
)

// Limits on free text. They keep rows, tokens and log lines bounded; the
// email limit is RFC 5321's path limit less the angle brackets.
const (
	MaxEmailLength       = 254
	MaxNameLength        = 200
	MaxLegacyIDLength    = 255
	MaxGroupNameLength   = 100
	MaxDescriptionLength = 1000
)

// checkEmail accepts only a bare addr-spec ("name@example.org"): no display
// name, comment or angle brackets, which net/mail would otherwise accept and
// silently strip, no control character (a pasted trailing newline is a
// mistake, not part of an address), and a domain that is a host name: no
// domain literal, which cannot be routed to an organisation's identity
// provider, and no label that is empty, too long or starts or ends with a
// hyphen (RFC 1035 §2.3.1; letters may be any script's, for
// internationalised domains). A dot-free domain ("localhost") is fine.
func checkEmail(s string) string {
	switch {
	case s == "":
		return "is required"
	case len(s) > MaxEmailLength:
		return fmt.Sprintf("must be at most %d characters", MaxEmailLength)
	case inputs.HasControl(s):
		return fmt.Sprintf("%q must not contain control characters", s)
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return fmt.Sprintf("%q is not a valid email address (expected a bare address such as name@example.org)", s)
	}
	domain := s[strings.LastIndexByte(s, '@')+1:]
	if strings.HasPrefix(domain, "[") {
		return fmt.Sprintf("%q must have a domain name, not an IP address literal", s)
	}
	for _, label := range strings.Split(domain, ".") {
		if why := labelProblem(label); why != "" {
			return fmt.Sprintf("%q does not have a valid domain name: %s", s, why)
		}
	}
	return ""
}

// labelProblem says what is wrong with one label of an email's domain.
func labelProblem(l string) string {
	switch {
	case l == "":
		return "a label is empty"
	case len(l) > 63:
		return "a label is longer than 63 characters"
	case strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-"):
		return fmt.Sprintf("the label %q starts or ends with a hyphen", l)
	case strings.ContainsFunc(l, func(r rune) bool { return r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) }):
		return fmt.Sprintf("the label %q holds a character other than a letter, a digit or a hyphen", l)
	}
	return ""
}

// checkLanguage refuses a remembered language we do not speak; "" is
// none (pages follow the browser, then the tenant's default).
func checkLanguage(lang string) string {
	if lang == "" || i18n.Supported(lang) {
		return ""
	}
	return fmt.Sprintf("%q is not a language Guildgate speaks (one of %s, or empty)", lang, strings.Join(i18n.Languages, ", "))
}

func checkStatus(s model.MemberStatus) string {
	if s.Valid() {
		return ""
	}
	names := make([]string, len(model.MemberStatuses))
	for i, v := range model.MemberStatuses {
		names[i] = string(v)
	}
	return fmt.Sprintf("%q is not one of %s", s, strings.Join(names, ", "))
}

// checkDescription is inputs.CheckText that allows line breaks and tabs.
func checkDescription(s string) string {
	if len([]rune(s)) > MaxDescriptionLength {
		return fmt.Sprintf("must be at most %d characters", MaxDescriptionLength)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return isControl(r) && r != '\n' && r != '\t' }) {
		return "must not contain control characters"
	}
	return ""
}

func isControl(r rune) bool { return inputs.IsControl(r) }

func trim(p *string) *string { return inputs.TrimPtr(p) }
