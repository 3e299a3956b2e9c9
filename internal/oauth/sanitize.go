package oauth

import "strings"

// maxDescriptionLen keeps descriptions short enough for a redirect URL and a
// response header; anything longer is a message meant for a log.
const maxDescriptionLen = 300

// SanitizeDescription makes s a legal error_description: RFC 6749 §5.2
// allows only %x20-21 / %x23-5B / %x5D-7E. Whitespace becomes a space, a
// double quote an apostrophe and a backslash a slash, so meaning survives;
// any other character (control, non-ASCII, invalid UTF-8) becomes '?'. The
// result also fits safely inside a quoted WWW-Authenticate parameter.
func SanitizeDescription(s string) string {
	if len(s) > 4*maxDescriptionLen {
		s = s[:4*maxDescriptionLen] // bound the work on hostile input
	}
	var b strings.Builder
	n := 0
	for _, r := range s { // invalid UTF-8 arrives as U+FFFD and becomes '?'
		if n == maxDescriptionLen {
			return strings.TrimRight(b.String()[:b.Len()-3], " ") + "..."
		}
		b.WriteByte(descriptionByte(r))
		n++
	}
	return b.String()
}

func descriptionByte(r rune) byte {
	switch {
	case r == '"':
		return '\''
	case r == '\\':
		return '/'
	case r == '\t' || r == '\n' || r == '\r':
		return ' '
	case r >= 0x20 && r <= 0x7e:
		return byte(r)
	default:
		return '?'
	}
}
