package api

import (
	"encoding/json"
	"reflect"
	"strings"
	"time"
	"unicode"
)

// schemas generates JSON Schemas (the dialect OpenAPI 3.1 uses) from the
// view and input types by reflection, so a field added to a view is in the
// document without anyone remembering to add it. Each struct becomes a named
// component; a field without omitempty or omitzero is required, because it
// is always sent.
type schemas struct {
	defs map[string]any
}

var (
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]() // an embedded JSON document (a client's JWK Set)
)

// of returns the schema of t, a $ref for a struct.
func (s *schemas) of(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawType:
		return map[string]any{"type": "object"}
	case t.Kind() == reflect.Pointer:
		return s.of(t.Elem())
	case t.Kind() == reflect.String:
		return map[string]any{"type": "string"}
	case t.Kind() == reflect.Bool:
		return map[string]any{"type": "boolean"}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return map[string]any{"type": "integer"}
	case t.Kind() == reflect.Slice:
		return map[string]any{"type": "array", "items": s.of(t.Elem())}
	case t.Kind() == reflect.Map && t.Elem().Kind() == reflect.Interface:
		return map[string]any{"type": "object"}
	case t.Kind() == reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": s.of(t.Elem())}
	case t.Kind() == reflect.Struct:
		name := schemaName(t)
		if _, done := s.defs[name]; !done {
			s.defs[name] = nil // a placeholder stops recursion
			s.defs[name] = s.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	panic("api: no JSON Schema for " + t.String()) // a new view type needs a case here; tests catch it
}

func (s *schemas) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	required := []string{}
	for f := range t.Fields() {
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		props[name] = s.of(f.Type)
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
			required = append(required, name)
		}
	}
	return map[string]any{"type": "object", "properties": props, "required": required}
}

// schemaName turns memberView into Member and memberInput into MemberInput.
func schemaName(t reflect.Type) string {
	n := strings.TrimSuffix(t.Name(), "View")
	r := []rune(n)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
