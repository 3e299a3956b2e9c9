package scim

import (
	"encoding/json"
	"strings"

	filter "github.com/scim2/filter-parser/v2"
)

// maxOperations bounds one PATCH; the body limit bounds it further.
const maxOperations = 1000

// operation is one PATCH operation (RFC 7644 §3.5.2), op lower-cased:
// Entra ID sends "Replace" and "Add", Okta "replace".
type operation struct {
	op    string
	path  *filter.Path // nil when the operation names none
	value json.RawMessage
}

// parsePatch reads a PatchOp message.
func parsePatch(o object) ([]operation, error) {
	if err := checkSchemas(o, patchSchema); err != nil {
		return nil, err
	}
	list, err := asArray("Operations", o["operations"])
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, badRequest(invalidValue, "Operations must hold at least one operation")
	}
	if len(list) > maxOperations {
		return nil, badRequest(tooMany, "at most %d operations a request", maxOperations)
	}
	ops := make([]operation, 0, len(list))
	for _, raw := range list {
		op, err := parseOperation(raw)
		if err != nil {
			return nil, err
		}
		ops = append(ops, op)
	}
	return ops, nil
}

func parseOperation(raw json.RawMessage) (operation, error) {
	o, err := asObject("an operation", raw)
	if err != nil {
		return operation{}, err
	}
	name, err := asString("op", o["op"])
	if err != nil {
		return operation{}, err
	}
	op := operation{op: strings.ToLower(name), value: o["value"]}
	switch op.op {
	case "add", "replace", "remove":
	default:
		return operation{}, badRequest(invalidSyntax, "op must be add, replace or remove, not %q", name)
	}
	path, err := asString("path", o["path"])
	if err != nil {
		return operation{}, err
	}
	if path != "" {
		p, err := parsePath(path)
		if err != nil {
			return operation{}, err
		}
		op.path = &p
	}
	if op.op != "remove" && isNull(op.value) {
		return operation{}, badRequest(invalidValue, "%s needs a value", op.op)
	}
	if op.op == "remove" && op.path == nil {
		return operation{}, badRequest(noTarget, "remove needs a path")
	}
	return op, nil
}

func parsePath(path string) (filter.Path, error) {
	if len(path) > maxFilterLength {
		return filter.Path{}, badRequest(invalidPath, "the path is longer than %d bytes", maxFilterLength)
	}
	p, err := filter.ParsePath([]byte(path))
	if err != nil {
		return filter.Path{}, badRequest(invalidPath, "path %q is not a valid SCIM path", path)
	}
	return p, nil
}

// eachValue calls fn for each attribute of an operation without a path:
// its value is an object whose keys are paths.
func eachValue(op operation, fn func(p filter.Path, v json.RawMessage) error) error {
	o, err := asObject("value", op.value)
	if err != nil {
		return err
	}
	for k, v := range o {
		if k == "schemas" || k == strings.ToLower(enterpriseSchema) {
			continue
		}
		p, err := parsePath(k)
		if err != nil {
			return err
		}
		if err := fn(p, v); err != nil {
			return err
		}
	}
	return nil
}

// patch applies ops to u.
func (u *user) patch(ops []operation) error {
	for _, op := range ops {
		if op.path == nil {
			err := eachValue(op, func(p filter.Path, v json.RawMessage) error { return u.patchPath(op.op, p, v) })
			if err != nil {
				return err
			}
			continue
		}
		if err := u.patchPath(op.op, *op.path, op.value); err != nil {
			return err
		}
	}
	return nil
}

func (u *user) patchPath(op string, p filter.Path, v json.RawMessage) error {
	ap := p.AttributePath
	switch {
	case ap.URIPrefix != nil && strings.EqualFold(ap.URI(), enterpriseSchema):
		return nil // the enterprise extension is accepted and not kept
	case ap.URIPrefix != nil && !strings.EqualFold(ap.URI(), userSchema):
		return badRequest(invalidPath, "path %q is not of the User schema", p.String())
	}
	attr, sub := attrName(ap), strings.ToLower(ap.SubAttributeName())
	if p.SubAttribute != nil {
		sub = strings.ToLower(*p.SubAttribute)
	}
	if p.ValueExpression != nil {
		return u.patchFiltered(op, attr, sub, p, v)
	}
	if op == "remove" {
		return u.remove(attr, sub)
	}
	return u.set(attr, sub, v)
}

// patchFiltered handles "emails[type eq \"work\"].value", the one filtered
// path Entra ID sends about something this server keeps; filtered paths
// into attributes it does not keep (phoneNumbers, addresses) are dropped.
func (u *user) patchFiltered(op, attr, sub string, p filter.Path, v json.RawMessage) error {
	switch {
	case ignoredUserAttrs[attr]:
		return nil
	case attr != "emails":
		return badRequest(invalidPath, "path %q does not name a multi-valued attribute", p.String())
	}
	if err := userFilterAttrs.multi["emails"].check(p.ValueExpression); err != nil {
		return err
	}
	if op == "remove" {
		return badRequest(mutability, "a member's email cannot be removed")
	}
	if sub != "" && sub != "value" {
		return nil // type, primary, display: not kept
	}
	if sub == "" {
		e, err := asObject(p.String(), v)
		if err != nil {
			return err
		}
		v = e["value"]
	}
	email, err := asString(p.String(), v)
	if err != nil || email == "" {
		return badRequest(invalidValue, "%s must be an address", p.String())
	}
	u.Email = email
	return nil
}

func (u *user) remove(attr, sub string) error {
	switch attr {
	case "displayname":
		u.DisplayName = ""
	case "name":
		for k, f := range map[string]*string{"givenname": &u.GivenName, "familyname": &u.FamilyName, "formatted": &u.Formatted} {
			if sub == "" || sub == k {
				*f = ""
			}
		}
	case "preferredlanguage":
		forget := ""
		u.Language = &forget
	case "username", "emails", "active", "externalid":
		return badRequest(mutability, "%s cannot be removed", attr)
	default:
		if !ignoredUserAttrs[attr] {
			return badRequest(invalidPath, "attribute %q is not in the User schema", attr)
		}
	}
	return nil
}
