package api

import (
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

func (h *Handler) openAPI(w http.ResponseWriter, r *http.Request, c *call) error {
	return ok(w, h.document(c.tenant.Issuer))
}

// document is the OpenAPI 3.1 description of every route in the table.
func (h *Handler) document(server string) map[string]any {
	s := &schemas{defs: map[string]any{}}
	errRef := s.of(reflect.TypeFor[errorBody]())
	paths := map[string]any{}
	for _, rt := range h.routes() {
		item, _ := paths[rt.path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.path] = item
		}
		item[strings.ToLower(rt.method)] = operation(s, rt, errRef)
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "Guildgate admin API",
			"version":     "1",
			"description": "Manage one site's members, groups, SSO clients, audit log and signing keys. Errors are {\"error\": {\"code\", \"message\", \"details\"}}.",
		},
		"servers":  []any{map[string]any{"url": server}},
		"security": []any{map[string]any{"apiKey": []any{}}},
		"paths":    paths,
		"components": map[string]any{
			"schemas": s.defs,
			"securitySchemes": map[string]any{"apiKey": map[string]any{
				"type": "http", "scheme": "bearer",
				"description": "an admin API key (gga_…) from 'guildgate apikey create'; browser sessions are not accepted",
			}},
		},
	}
}

func operation(s *schemas, rt route, errRef map[string]any) map[string]any {
	errResp := func(d string) map[string]any {
		return map[string]any{"description": d, "content": map[string]any{"application/json": map[string]any{"schema": errRef}}}
	}
	op := map[string]any{
		"operationId": operationID(rt),
		"summary":     rt.summary,
		"responses": map[string]any{
			strconv.Itoa(rt.status): response(s, rt),
			"401":                   errResp("no valid API key"),
			"403":                   errResp("a browser session instead of an API key"),
			"default":               errResp("an error, with a stable code"),
		},
	}
	var params []any
	for _, m := range pathParam.FindAllStringSubmatch(rt.path, -1) {
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
	}
	for _, p := range rt.query {
		params = append(params, map[string]any{"name": p.name, "in": "query", "required": false,
			"description": p.description, "schema": map[string]any{"type": p.typ}})
	}
	if params != nil {
		op["parameters"] = params
	}
	if rt.body != nil {
		op["requestBody"] = map[string]any{"required": true, "content": content(s, rt.body)}
	}
	return op
}

func response(s *schemas, rt route) map[string]any {
	if rt.resp == nil {
		return map[string]any{"description": http.StatusText(rt.status)}
	}
	return map[string]any{"description": http.StatusText(rt.status), "content": content(s, rt.resp)}
}

func content(s *schemas, v any) map[string]any {
	if _, isCSV := v.(csvBody); isCSV {
		return map[string]any{"text/csv": map[string]any{"schema": map[string]any{"type": "string"}}}
	}
	if _, isImage := v.(imageBody); isImage {
		out := map[string]any{}
		for _, t := range logoTypes {
			out[t] = map[string]any{"schema": map[string]any{"type": "string", "contentMediaType": t}}
		}
		return out
	}
	return map[string]any{"application/json": map[string]any{"schema": s.of(reflect.TypeOf(v))}}
}

// operationID derives a unique id from the route: "GET /api/v1/members/{id}"
// is getMembersById.
func operationID(rt route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.method))
	for _, seg := range strings.Split(strings.TrimPrefix(rt.path, Prefix), "/") {
		if strings.HasPrefix(seg, "{") {
			b.WriteString("By")
			seg = strings.Trim(seg, "{}")
		}
		for _, word := range strings.FieldsFunc(seg, func(r rune) bool { return !unicode.IsLetter(r) }) {
			b.WriteString(strings.ToUpper(word[:1]) + word[1:])
		}
	}
	return b.String()
}
