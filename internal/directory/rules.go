package directory

import (
	"fmt"
	"net/mail"
	"strings"

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
// silently strip, and no domain literal, which cannot be routed to an
// organisation's identity provider. A dot-free domain ("localhost") is fine.
func checkEmail(s string) string {
	switch {
	case s == "":
		return "is required"
	case len(s) > MaxEmailLength:
		return fmt.Sprintf("must be at most %d characters", MaxEmailLength)
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return fmt.Sprintf("%q is not a valid email address (expected a bare address such as name@example.org)", s)
	}
	if domain := s[strings.LastIndexByte(s, '@')+1:]; strings.HasPrefix(domain, "[") {
		return fmt.Sprintf("%q must have a domain name, not an IP address literal", s)
	}
	return ""
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

// checkText bounds a free-text field and refuses control characters, which
// would forge lines in the audit log and break tokens' readers.
func checkText(s string, required bool, maxRunes int) string {
	switch {
	case s == "" && required:
		return "is required"
	case len([]rune(s)) > maxRunes:
		return fmt.Sprintf("must be at most %d characters", maxRunes)
	case strings.ContainsFunc(s, isControl):
		return "must not contain control characters"
	}
	return ""
}

// checkDescription is checkText that allows line breaks and tabs.
func checkDescription(s string) string {
	if len([]rune(s)) > MaxDescriptionLength {
		return fmt.Sprintf("must be at most %d characters", MaxDescriptionLength)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return isControl(r) && r != '\n' && r != '\t' }) {
		return "must not contain control characters"
	}
	return ""
}

func isControl(r rune) bool { return r < ' ' || (r >= 0x7f && r < 0xa0) }

func trim(p *string) *string {
	if p == nil {
		return nil
	}
	v := strings.TrimSpace(*p)
	return &v
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
