package scim

import (
	"encoding/json"
	"strings"

	filter "github.com/scim2/filter-parser/v2"
)

// group is what this server keeps of a SCIM Group: its name, its
// externalId and its members' ids (as a set).
type group struct {
	DisplayName, ExternalID string
	Members                 map[string]bool
	renamed                 bool
}

// parseGroup reads a whole Group (POST, PUT).
func parseGroup(o object) (group, error) {
	if err := checkSchemas(o, groupSchema); err != nil {
		return group{}, err
	}
	g := group{Members: map[string]bool{}}
	for k, v := range o {
		var err error
		switch k {
		case "schemas", "id", "meta":
		case "displayname":
			g.DisplayName, err = asString("displayName", v)
		case "externalid":
			g.ExternalID, err = asString("externalId", v)
		case "members":
			var ids []string
			if ids, err = memberValues(v); err == nil {
				g.add(ids)
			}
		default:
			err = badRequest(invalidSyntax, "attribute %q is not in the Group schema", k)
		}
		if err != nil {
			return group{}, err
		}
	}
	if strings.TrimSpace(g.DisplayName) == "" {
		return group{}, badRequest(invalidValue, "displayName is required")
	}
	return g, nil
}

// memberValues reads members' ids from [{"value": id, "display": …}], or
// from one such object.
func memberValues(v json.RawMessage) ([]string, error) {
	list, err := asArray("members", v)
	if err != nil {
		list = []json.RawMessage{v}
	}
	ids := make([]string, 0, len(list))
	for _, raw := range list {
		o, err := asObject("members[]", raw)
		if err != nil {
			return nil, err
		}
		id, err := asString("members.value", o["value"])
		if err != nil || id == "" {
			return nil, badRequest(invalidValue, "every member needs a value (the user's id)")
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func (g *group) add(ids []string) {
	for _, id := range ids {
		g.Members[id] = true
	}
}

// patch applies ops to g: members added, removed (by value list or by a
// members[value eq "…"] path) or replaced, as Okta and Entra ID send them.
func (g *group) patch(ops []operation) error {
	for _, op := range ops {
		if op.path == nil {
			err := eachValue(op, func(p filter.Path, v json.RawMessage) error { return g.patchPath(op.op, p, v) })
			if err != nil {
				return err
			}
			continue
		}
		if err := g.patchPath(op.op, *op.path, op.value); err != nil {
			return err
		}
	}
	return nil
}

func (g *group) patchPath(op string, p filter.Path, v json.RawMessage) error {
	ap := p.AttributePath
	if ap.URIPrefix != nil && !strings.EqualFold(ap.URI(), groupSchema) {
		return badRequest(invalidPath, "path %q is not of the Group schema", p.String())
	}
	switch attr := attrName(ap); attr {
	case "members":
		return g.patchMembers(op, p, v)
	case "displayname":
		if op == "remove" {
			return badRequest(mutability, "displayName cannot be removed")
		}
		name, err := asString("displayName", v)
		if err != nil || strings.TrimSpace(name) == "" {
			return badRequest(invalidValue, "displayName must be a name")
		}
		g.renamed = g.renamed || name != g.DisplayName
		g.DisplayName = name
	case "externalid":
		if op == "remove" {
			g.ExternalID = ""
			return nil
		}
		s, err := asString("externalId", v)
		if err != nil {
			return err
		}
		g.ExternalID = s
	case "id", "meta":
	default:
		return badRequest(invalidPath, "attribute %q is not in the Group schema", attr)
	}
	return nil
}

func (g *group) patchMembers(op string, p filter.Path, v json.RawMessage) error {
	if p.ValueExpression != nil {
		sub := groupFilterAttrs.multi["members"]
		if err := sub.check(p.ValueExpression); err != nil {
			return err
		}
		if op != "remove" {
			return badRequest(invalidPath, "a filtered members path can only be removed")
		}
		for id := range g.Members {
			if sub.match(p.ValueExpression, record{values: map[string]string{"value": id}}) {
				delete(g.Members, id)
			}
		}
		return nil
	}
	var ids []string
	if !isNull(v) {
		var err error
		if ids, err = memberValues(v); err != nil {
			return err
		}
	}
	switch op {
	case "add":
		g.add(ids)
	case "replace":
		g.Members = map[string]bool{}
		g.add(ids)
	case "remove":
		if isNull(v) {
			g.Members = map[string]bool{}
		}
		for _, id := range ids {
			delete(g.Members, id)
		}
	}
	return nil
}
