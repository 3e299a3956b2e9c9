package i18n

import "strings"

// LinkProblem renders why a one-time link cannot be used from the words of
// the service that refused it (packages onetime and connections, whose
// messages say "this <kind> has expired; ask for a new one" and the like),
// so those services stay free of presentation. kind is a link.kind key.
// Wording it does not know falls back to the English text.
func LinkProblem(text, kind string) Message {
	k := M(kind)
	switch {
	case strings.Contains(text, "is not valid"):
		return M("link.invalid", k)
	case strings.Contains(text, "already been used"):
		return M("link.used", k)
	case strings.Contains(text, "has expired"):
		return M("link.expired", k)
	case strings.Contains(text, "no longer valid"):
		return M("link.revoked", k)
	case strings.Contains(text, "run out of connection tests"):
		return M("link.exhausted", k)
	}
	r := []rune(text)
	if len(r) > 0 {
		r[0] = []rune(strings.ToUpper(string(r[0])))[0]
	}
	text = string(r)
	if !strings.HasSuffix(text, ".") {
		text += "."
	}
	return Raw(text)
}
