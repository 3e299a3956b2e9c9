package upstream

import (
	"strings"

	"github.com/guildgate/guildgate/internal/model"
)

// Defaults for an empty claim mapping: the standard OpenID Connect names.
var defaultMapping = model.ClaimMapping{
	Email: "email", Name: "name", GivenName: "given_name", FamilyName: "family_name",
}

// MapClaims reads raw through mapping. The email comes from the mapped
// email claim, else from the fallbacks in order (preferred_username, upn)
// but only those the administrator named, and only when the value looks
// like an address. Groups are read from mapping.Groups as a list of strings
// or a single string; "" reads none.
//
// EmailVerified is true only when the provider vouches for that very
// address: email_verified is the JSON boolean true or the exact string
// "true" (Amazon Cognito sends strings; "True", "1" or "yes" do not count),
// and the standard email claim, which email_verified speaks for, holds the
// address read (so a mapping to another claim, such as mail, is verified
// only when both agree). A fallback address is never verified: a username
// is not a proven mailbox.
func MapClaims(raw map[string]any, mapping model.ClaimMapping, fallbacks []string) Claims {
	m := withDefaults(mapping)
	c := Claims{
		Issuer: str(raw, "iss"), Subject: str(raw, "sub"),
		Name: str(raw, m.Name), GivenName: str(raw, m.GivenName), FamilyName: str(raw, m.FamilyName),
		Raw: raw,
	}
	c.Email = str(raw, m.Email)
	c.EmailVerified = c.Email != "" && strings.EqualFold(str(raw, "email"), c.Email) && isTrue(raw["email_verified"])
	for _, f := range fallbacks {
		if c.Email != "" {
			break
		}
		if v := str(raw, f); strings.Contains(v, "@") {
			c.Email = v
		}
	}
	if m.Groups != "" {
		c.Groups = strList(raw[m.Groups])
	}
	return c
}

func withDefaults(m model.ClaimMapping) model.ClaimMapping {
	for _, f := range []struct {
		dst *string
		def string
	}{
		{&m.Email, defaultMapping.Email}, {&m.Name, defaultMapping.Name},
		{&m.GivenName, defaultMapping.GivenName}, {&m.FamilyName, defaultMapping.FamilyName},
	} {
		if *f.dst == "" {
			*f.dst = f.def
		}
	}
	return m
}

// Missing reports whether raw lacks a claim the mapping needs, so the
// connector knows to ask userinfo.
func Missing(raw map[string]any, mapping model.ClaimMapping) bool {
	m := withDefaults(mapping)
	for _, name := range []string{m.Email, m.Name} {
		if str(raw, name) == "" {
			return true
		}
	}
	_, hasGroups := raw[m.Groups]
	return m.Groups != "" && !hasGroups
}

func str(raw map[string]any, name string) string {
	s, _ := raw[name].(string)
	return strings.TrimSpace(s)
}

// isTrue accepts true and exactly "true": some providers send booleans as
// strings, and nothing looser is a provider's clear word.
func isTrue(v any) bool {
	switch b := v.(type) {
	case bool:
		return b
	case string:
		return b == "true"
	}
	return false
}

func strList(v any) []string {
	switch l := v.(type) {
	case string:
		if l = strings.TrimSpace(l); l != "" {
			return []string{l}
		}
	case []any:
		var out []string
		for _, e := range l {
			if s, ok := e.(string); ok && strings.TrimSpace(s) != "" {
				out = append(out, strings.TrimSpace(s))
			}
		}
		return out
	}
	return nil
}
