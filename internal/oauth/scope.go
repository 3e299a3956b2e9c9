package oauth

import (
	"slices"
	"strings"
)

// The scopes Guildgate gives a meaning to: openid asks for an ID token,
// profile, email and groups release user claims (OpenID Connect Core §5.4,
// plus our groups), offline_access a refresh token.
const (
	ScopeOpenID        = "openid"
	ScopeProfile       = "profile"
	ScopeEmail         = "email"
	ScopeGroups        = "groups"
	ScopeOfflineAccess = "offline_access"
)

// Scopes is a parsed scope parameter, in the order the client sent it.
type Scopes []string

// ParseScope parses a space-delimited scope (RFC 6749 §3.3). An empty string
// is no scope. Empty tokens (doubled, leading or trailing spaces), repeated
// tokens and characters outside the scope-token grammar are invalid_scope:
// being strict here means one request has one meaning.
func ParseScope(s string) (Scopes, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, " ")
	seen := make(map[string]bool, len(parts))
	for _, p := range parts {
		switch {
		case p == "":
			return nil, InvalidScope("scope has an empty value: separate scopes with a single space.")
		case !validScopeToken(p):
			return nil, InvalidScope("scope contains a character that is not allowed.")
		case seen[p]:
			return nil, InvalidScope("scope repeats the value " + p + ".")
		}
		seen[p] = true
	}
	return Scopes(parts), nil
}

// Contains reports whether scope s was requested; scopes are case-sensitive.
func (sc Scopes) Contains(s string) bool { return slices.Contains(sc, s) }

// String returns the scope parameter form.
func (sc Scopes) String() string { return strings.Join(sc, " ") }

// validScopeToken: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
func validScopeToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
