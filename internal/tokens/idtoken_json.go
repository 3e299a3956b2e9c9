package tokens

import (
	"slices"
	"strconv"
	"strings"

	"github.com/guildgate/guildgate/internal/oauth"
)

// An ID token's claims were a clone of the user claims' map with the
// registered claims added, every number and string of them boxed in an
// interface, then written by oauth.AppendJSONMap: one per code exchange and
// refresh. appendJSON writes the same bytes (TestIDPayloadJSONMatchesMap)
// from the user claims and the registered ones as they are: the names
// sorted, as encoding/json sorts a map's keys.

// plainClaims says whether every user claim is of a type appendJSON
// writes: a string, bool, int64 or []string, all Claims ever holds.
func plainClaims(c map[string]any) bool {
	for _, v := range c {
		switch v.(type) {
		case string, bool, int64, []string:
		default:
			return false
		}
	}
	return true
}

// claim is one name and value of an ID token: a user claim's value, or a
// registered claim's string, number or list.
type claim struct {
	name string
	user any
	s    string
	n    int64
	l    []string
	kind byte // 'u' user, 's', 'n', 'l'
}

// registeredClaim reports whether name is a claim that idPayload writes
// itself (optionalClaims and those always present), never the user's.
func registeredClaim(name string) bool {
	switch name {
	case "iss", "aud", "azp", "iat", "exp":
		return true
	}
	return slices.Contains(optionalClaims[:], name)
}

func (w idPayload) appendJSON(b []byte) []byte {
	p := w.p
	var room [32]claim
	cs := room[:0]
	for name, v := range p.Claims {
		if !registeredClaim(name) {
			cs = append(cs, claim{name: name, user: v, kind: 'u'})
		}
	}
	cs = append(cs, claim{name: "iss", s: p.Tenant.Issuer, kind: 's'}, claim{name: "aud", s: p.Client.ID, kind: 's'},
		claim{name: "azp", s: p.Client.ID, kind: 's'}, claim{name: "iat", n: w.iat, kind: 'n'},
		claim{name: "exp", n: w.exp, kind: 'n'})
	for _, o := range [...]struct{ name, v string }{{"nonce", p.Nonce}, {"sid", p.SessionID}, {"acr", p.ACR},
		{"at_hash", w.atHash}, {"c_hash", w.cHash}} {
		if o.v != "" {
			cs = append(cs, claim{name: o.name, s: o.v, kind: 's'})
		}
	}
	if !p.AuthTime.IsZero() {
		cs = append(cs, claim{name: "auth_time", n: p.AuthTime.Unix(), kind: 'n'})
	}
	if len(p.AMR) > 0 {
		cs = append(cs, claim{name: "amr", l: p.AMR, kind: 'l'})
	}
	slices.SortFunc(cs, func(a, b claim) int { return strings.Compare(a.name, b.name) })
	b = append(b, '{')
	for i, c := range cs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(oauth.AppendJSONString(b, c.name), ':')
		switch c.kind {
		case 's':
			b = oauth.AppendJSONString(b, c.s)
		case 'n':
			b = strconv.AppendInt(b, c.n, 10)
		case 'l':
			b = oauth.AppendJSONStrings(b, c.l)
		default:
			b, _ = oauth.AppendJSONValue(b, c.user) // plainClaims: always one it writes
		}
	}
	return append(b, '}')
}
