package saml

import (
	"fmt"

	cs "github.com/crewjam/saml"

	"github.com/guildgate/guildgate/internal/model"
)

// basic is the Basic attribute name format (saml-core §8.2.2): the plain
// names PRODUCT.md lists, which partners map by hand.
const basic = "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"

// nameID is the Subject's NameID in the app's format (PRODUCT.md): the
// email address, the member id (persistent: the same at every sign-in and
// for every app), or a fresh random value (transient). Persistent and
// transient ids are qualified with both entity ids, as saml-core §8.3.7
// asks.
func (p *IdP) nameID(app model.SAMLApp, m model.Member) (*cs.NameID, error) {
	switch app.NameIDFormat {
	case model.NameIDEmail, "":
		return &cs.NameID{Format: string(cs.EmailAddressNameIDFormat), Value: m.Email}, nil
	case model.NameIDPersistent:
		return &cs.NameID{Format: string(cs.PersistentNameIDFormat), NameQualifier: p.EntityID(),
			SPNameQualifier: app.EntityID, Value: m.ID}, nil
	case model.NameIDTransient:
		return &cs.NameID{Format: string(cs.TransientNameIDFormat), NameQualifier: p.EntityID(),
			SPNameQualifier: app.EntityID, Value: newID()}, nil
	}
	return nil, fmt.Errorf("saml: app %s has unknown NameID format %q", app.ID, app.NameIDFormat)
}

// attributes are the member's attributes with Basic names: email, name,
// given_name, family_name, groups (one value per group), member_status and
// legacy_id. An attribute without a value is left out rather than sent
// empty, which an app could not tell from a real empty value.
func attributes(m model.Member, groups []string) []cs.Attribute {
	var out []cs.Attribute
	add := func(name string, values ...string) {
		var vs []cs.AttributeValue
		for _, v := range values {
			if v != "" {
				vs = append(vs, cs.AttributeValue{Type: "xs:string", Value: v})
			}
		}
		if len(vs) > 0 {
			out = append(out, cs.Attribute{Name: name, NameFormat: basic, Values: vs})
		}
	}
	add("email", m.Email)
	add("name", m.Name)
	add("given_name", m.GivenName)
	add("family_name", m.FamilyName)
	add("groups", groups...)
	add("member_status", string(m.Status))
	add("legacy_id", m.LegacyID)
	return out
}
