package scim

import (
	"encoding/json"
	"strings"

	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/model"
)

// The schema and message URNs this server speaks.
const (
	userSchema       = "urn:ietf:params:scim:schemas:core:2.0:User"
	enterpriseSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	groupSchema      = "urn:ietf:params:scim:schemas:core:2.0:Group"
	listSchema       = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	patchSchema      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
)

// user is what this server keeps of a SCIM User. userName and the email
// are both the member's email address: members sign in by it.
type user struct {
	UserName, ExternalID, DisplayName, GivenName, FamilyName, Formatted, Email string
	Active                                                                     bool
	// Language is the member's remembered language (preferredLanguage
	// matched to one we speak, "" to forget it); nil leaves it as it is.
	Language *string
}

// ignoredUserAttrs are attributes of the User and enterprise schemas that
// Okta and Entra ID send and this server does not keep; they are accepted
// and dropped. An attribute outside the schemas is refused.
var ignoredUserAttrs = map[string]bool{
	"id": true, "meta": true, "nickname": true, "profileurl": true, "title": true, "usertype": true,
	"locale": true, "timezone": true, "password": true, "phonenumbers": true,
	"ims": true, "photos": true, "addresses": true, "groups": true, "entitlements": true, "roles": true,
	"x509certificates": true, strings.ToLower(enterpriseSchema): true,
}

// stateOf is the member as a SCIM user, its externalId from its identity.
func stateOf(m model.Member, id model.Identity) user {
	ext, _ := externalID(id.Subject)
	lang := m.Language
	return user{UserName: m.Email, ExternalID: ext, DisplayName: m.Name, GivenName: m.GivenName,
		FamilyName: m.FamilyName, Formatted: m.Name, Email: m.Email, Active: !m.Disabled, Language: &lang}
}

// The identity subject of a SCIM user is its externalId (Okta and Entra ID
// both send one, and it stays when the address changes) or, lacking one,
// its userName at creation.
const (
	extPrefix  = "ext:"
	userPrefix = "user:"
)

func subjectOf(u user) string {
	if u.ExternalID != "" {
		return extPrefix + u.ExternalID
	}
	return userPrefix + strings.ToLower(u.UserName)
}

func externalID(subject string) (string, bool) {
	return strings.CutPrefix(subject, extPrefix)
}

// parseUser reads a whole User (POST, PUT).
func parseUser(o object) (user, error) {
	if err := checkSchemas(o, userSchema, enterpriseSchema); err != nil {
		return user{}, err
	}
	u := user{Active: true}
	for k, v := range o {
		if k == "schemas" {
			continue
		}
		if err := u.set(k, "", v); err != nil {
			return user{}, err
		}
	}
	if strings.TrimSpace(u.UserName) == "" {
		return user{}, badRequest(invalidValue, "userName is required")
	}
	return u, nil
}

// set sets attribute attr (sub-attribute sub, both lower-case) to v.
func (u *user) set(attr, sub string, v json.RawMessage) error {
	var err error
	switch attr {
	case "username":
		u.UserName, err = asString("userName", v)
	case "externalid":
		u.ExternalID, err = asString("externalId", v)
	case "displayname":
		u.DisplayName, err = asString("displayName", v)
	case "active":
		u.Active, err = asBool("active", v)
	case "name":
		err = u.setName(sub, v)
	case "emails":
		u.Email, err = pickEmail(v)
	case "preferredlanguage":
		u.Language, err = preferredLanguage(v)
	default:
		if !ignoredUserAttrs[attr] {
			return badRequest(invalidSyntax, "attribute %q is not in the User schema", attr)
		}
	}
	return err
}

func (u *user) setName(sub string, v json.RawMessage) error {
	fields := map[string]*string{"givenname": &u.GivenName, "familyname": &u.FamilyName, "formatted": &u.Formatted}
	if sub != "" {
		if f, ok := fields[sub]; ok {
			s, err := asString("name."+sub, v)
			*f = s
			return err
		}
		return nil // middleName, honorificPrefix …: not kept
	}
	o, err := asObject("name", v)
	if err != nil {
		return err
	}
	for k, f := range fields {
		if *f, err = asString("name."+k, o[k]); err != nil {
			return err
		}
	}
	return nil
}

// preferredLanguage reads preferredLanguage, an Accept-Language value
// (RFC 7643 §4.1.1), as the member's language: the one of ours it names
// (close variants count, as for ui_locales: nl-NL is nl), "" for empty or
// null (forget it). A value naming only languages we do not speak leaves
// the member's language alone (nil), as ui_locales does: refusing the
// user would stop a directory provisioning them over an optional
// attribute. A value that is not a language list is refused.
func preferredLanguage(v json.RawMessage) (*string, error) {
	s, err := asString("preferredLanguage", v)
	if err != nil {
		return nil, err
	}
	lang, ok, err := i18n.FromAcceptLanguage(strings.TrimSpace(s))
	switch {
	case err != nil:
		return nil, badRequest(invalidValue, "preferredLanguage %q is not a language tag (RFC 5646)", s)
	case !ok && strings.TrimSpace(s) != "":
		return nil, nil
	}
	return &lang, nil
}

// pickEmail chooses, from a list of emails, the primary one, else the
// work one, else the first.
func pickEmail(v json.RawMessage) (string, error) {
	list, err := asArray("emails", v)
	if err != nil {
		return "", err
	}
	best, rank := "", 0
	for _, raw := range list {
		e, err := asObject("emails[]", raw)
		if err != nil {
			return "", err
		}
		value, err := asString("emails.value", e["value"])
		if err != nil || value == "" {
			return "", badRequest(invalidValue, "every email needs a value")
		}
		typ, err := asString("emails.type", e["type"])
		if err != nil {
			return "", err
		}
		r := 1
		if strings.EqualFold(typ, "work") {
			r = 2
		}
		if p, ok := e["primary"]; ok && !isNull(p) {
			if primary, err := asBool("emails.primary", p); err != nil {
				return "", err
			} else if primary {
				r = 3
			}
		}
		if r > rank {
			best, rank = value, r
		}
	}
	return best, nil
}

// memberEmail is the address the member is to have after a change from
// old: an email the directory changed, else a userName it changed that is
// an address, else the one the member has.
func (u user) memberEmail(old user) string {
	switch {
	case u.Email != "" && u.Email != old.Email:
		return strings.TrimSpace(u.Email)
	case u.UserName != old.UserName && strings.Contains(u.UserName, "@"):
		return strings.TrimSpace(u.UserName)
	}
	return old.Email
}

// memberName is the member's required display name: the directory's
// displayName, else name.formatted, else given and family names, else the
// address's local part.
func (u user) memberName(email string) string {
	for _, n := range []string{u.DisplayName, u.Formatted, strings.TrimSpace(u.GivenName + " " + u.FamilyName)} {
		if n = strings.TrimSpace(n); n != "" {
			return n
		}
	}
	if at := strings.LastIndexByte(email, '@'); at > 0 {
		return email[:at]
	}
	return email
}
