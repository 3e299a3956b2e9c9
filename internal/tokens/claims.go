package tokens

import (
	"slices"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
)

// Claims returns a member's user claims for the granted scopes. It is the
// one source of user claims for the ID token, userinfo and the legacy JWT,
// so the three always agree.
//
// `sub` is always the member's immutable id. `member_status` is always
// present and `legacy_id` whenever set, whatever the scopes, because
// association partners map roles and accounts from them. `groups` is
// released by the groups scope or by the client's GroupsClaim setting, and
// is an empty array rather than absent when the member has none, so a
// partner can tell "no groups" from "not asked". Empty profile strings are
// omitted, as OIDC Core 5.3.2 asks; locale is the member's remembered
// language.
func Claims(m model.Member, groups []model.Group, scopes []string, withGroups bool) map[string]any {
	c := map[string]any{"sub": m.ID, "member_status": string(m.Status)}
	if m.LegacyID != "" {
		c["legacy_id"] = m.LegacyID
	}
	if slices.Contains(scopes, oauth.ScopeProfile) {
		putString(c, "name", m.Name)
		putString(c, "given_name", m.GivenName)
		putString(c, "family_name", m.FamilyName)
		putString(c, "locale", m.Language) // OIDC Core 5.1: a BCP 47 tag (ours are bare languages)
		if !m.UpdatedAt.IsZero() {
			c["updated_at"] = m.UpdatedAt.Unix()
		}
	}
	if slices.Contains(scopes, oauth.ScopeEmail) && m.Email != "" {
		c["email"] = m.Email
		c["email_verified"] = m.EmailVerified
	}
	if withGroups || slices.Contains(scopes, oauth.ScopeGroups) {
		names := make([]string, 0, len(groups))
		for _, g := range groups {
			names = append(names, g.Name)
		}
		slices.Sort(names)
		c["groups"] = names
	}
	return c
}

func putString(c map[string]any, name, v string) {
	if v != "" {
		c[name] = v
	}
}
