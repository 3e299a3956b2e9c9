package scim

import (
	"fmt"
	"strconv"
	"strings"

	filter "github.com/scim2/filter-parser/v2"
)

// record is a resource as a filter sees it: each attribute (lower-case,
// "name.givenname" for a sub-attribute) to its value, and each complex
// multi-valued attribute ("emails", "members") to its elements.
type record struct {
	values map[string]string
	multi  map[string][]record
}

// schemaAttrs says which attributes a filter may name for a resource: a
// single attribute's case-exactness, and a multi-valued one's element
// attributes.
type schemaAttrs struct {
	urn    string
	single map[string]bool // name → case-exact
	multi  map[string]schemaAttrs
}

var userFilterAttrs = schemaAttrs{urn: userSchema,
	single: map[string]bool{"id": true, "externalid": true, "username": false, "displayname": false,
		"active": false, "name.givenname": false, "name.familyname": false, "name.formatted": false,
		"preferredlanguage": false},
	multi: map[string]schemaAttrs{"emails": {single: map[string]bool{"value": false, "type": false, "primary": false}}}}

var groupFilterAttrs = schemaAttrs{urn: groupSchema,
	single: map[string]bool{"id": true, "externalid": true, "displayname": false},
	multi:  map[string]schemaAttrs{"members": {single: map[string]bool{"value": true, "display": false}}}}

// maxFilterLength bounds a filter before the parser sees it.
const maxFilterLength = 1024

// parseFilter parses raw with the scim2 filter grammar and checks that it
// names only attributes of s, with operators this server evaluates.
func parseFilter(raw string, s schemaAttrs) (filter.Expression, error) {
	if len(raw) > maxFilterLength {
		return nil, badRequest(invalidFilter, "the filter is longer than %d bytes", maxFilterLength)
	}
	e, err := filter.ParseFilter([]byte(raw))
	if err != nil || e == nil {
		return nil, badRequest(invalidFilter, "the filter is not valid SCIM filter syntax (RFC 7644 §3.4.2.2)")
	}
	if err := s.check(e); err != nil {
		return nil, err
	}
	return e, nil
}

func (s schemaAttrs) check(e filter.Expression) error {
	switch e := e.(type) {
	case *filter.AttributeExpression:
		if _, _, ok := s.resolve(e.AttributePath); !ok {
			return badRequest(invalidFilter, "cannot filter on %q", e.AttributePath.String())
		}
		switch e.Operator {
		case filter.EQ, filter.NE, filter.CO, filter.SW, filter.EW, filter.PR:
			return nil
		}
		return badRequest(invalidFilter, "operator %q is not supported; use eq, ne, co, sw, ew or pr", e.Operator)
	case *filter.ValuePath:
		sub, ok := s.multi[attrName(e.AttributePath)]
		if !ok || e.AttributePath.SubAttribute != nil || e.ValueFilter == nil {
			return badRequest(invalidFilter, "cannot filter on %q", e.AttributePath.String())
		}
		return sub.check(e.ValueFilter)
	case *filter.LogicalExpression:
		if err := s.check(e.Left); err != nil {
			return err
		}
		return s.check(e.Right)
	case *filter.NotExpression:
		return s.check(e.Expression)
	}
	return badRequest(invalidFilter, "the filter is not supported")
}

// attrName is the lower-case attribute name of p, checked for its URN by
// resolve.
func attrName(p filter.AttributePath) string { return strings.ToLower(p.AttributeName) }

// resolve returns the attribute's key and whether it is case-exact, for a
// single attribute, a sub-attribute, or a multi-valued attribute (its
// elements' value, or the sub-attribute named).
func (s schemaAttrs) resolve(p filter.AttributePath) (key string, exact, ok bool) {
	if p.URIPrefix != nil && !strings.EqualFold(p.URI(), s.urn) {
		return "", false, false
	}
	name, sub := attrName(p), strings.ToLower(p.SubAttributeName())
	if m, isMulti := s.multi[name]; isMulti {
		if sub == "" {
			sub = "value"
		}
		exact, ok = m.single[sub]
		return name + "." + sub, exact, ok
	}
	if sub != "" {
		name += "." + sub
	}
	exact, ok = s.single[name]
	return name, exact, ok
}

// match reports whether r satisfies e, which check accepted.
func (s schemaAttrs) match(e filter.Expression, r record) bool {
	switch e := e.(type) {
	case *filter.AttributeExpression:
		key, exact, _ := s.resolve(e.AttributePath)
		return compare(e.Operator, s.valuesOf(key, r), compareValue(e.CompareValue), exact)
	case *filter.ValuePath:
		sub := s.multi[attrName(e.AttributePath)]
		for _, el := range r.multi[attrName(e.AttributePath)] {
			if sub.match(e.ValueFilter, el) {
				return true
			}
		}
		return false
	case *filter.LogicalExpression:
		if e.Operator == filter.AND {
			return s.match(e.Left, r) && s.match(e.Right, r)
		}
		return s.match(e.Left, r) || s.match(e.Right, r)
	case *filter.NotExpression:
		return !s.match(e.Expression, r)
	}
	return false
}

// valuesOf returns the values of key: one for a single attribute, one per
// element for "attr.sub" of a multi-valued attribute.
func (s schemaAttrs) valuesOf(key string, r record) []string {
	attr, sub, _ := strings.Cut(key, ".")
	if _, ok := s.multi[attr]; ok {
		var out []string
		for _, el := range r.multi[attr] {
			if v, ok := el.values[sub]; ok {
				out = append(out, v)
			}
		}
		return out
	}
	if v, ok := r.values[key]; ok {
		return []string{v}
	}
	return nil
}

func compareValue(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	}
	return fmt.Sprint(v)
}

// compare applies op to any of values (for ne: to none being equal).
func compare(op filter.CompareOperator, values []string, want string, exact bool) bool {
	if !exact {
		want = strings.ToLower(want)
	}
	if op == filter.NE {
		return !compare(filter.EQ, values, want, exact)
	}
	for _, v := range values {
		if !exact {
			v = strings.ToLower(v)
		}
		var ok bool
		switch op {
		case filter.EQ:
			ok = v == want
		case filter.CO:
			ok = strings.Contains(v, want)
		case filter.SW:
			ok = strings.HasPrefix(v, want)
		case filter.EW:
			ok = strings.HasSuffix(v, want)
		case filter.PR:
			ok = v != ""
		}
		if ok {
			return true
		}
	}
	return false
}

// hint returns an "attr eq value" that every match of e satisfies, for
// one of the attributes the store can look up directly, so a filtered
// list reads a few rows instead of every one.
func hint(e filter.Expression, s schemaAttrs, indexed ...string) (attr, value string, ok bool) {
	switch e := e.(type) {
	case *filter.AttributeExpression:
		key, _, _ := s.resolve(e.AttributePath)
		v, isString := e.CompareValue.(string)
		if e.Operator == filter.EQ && isString && containsFold(indexed, key) {
			return key, v, true
		}
	case *filter.LogicalExpression:
		if e.Operator == filter.AND {
			if attr, value, ok = hint(e.Left, s, indexed...); ok {
				return attr, value, ok
			}
			return hint(e.Right, s, indexed...)
		}
	}
	return "", "", false
}
