package scim

import (
	"net/http"
	"strings"
)

// The discovery endpoints (RFC 7644 §4) say what this server does, so a
// directory can adapt: filter yes (up to maxCount results), PATCH yes, no
// bulk, no sorting, no ETags, no password changes (members whose
// organisation provisions them sign in through its identity provider).

func serviceProviderConfig(w http.ResponseWriter, r *http.Request, c *call) error {
	writeJSON(w, http.StatusOK, map[string]any{
		"schemas":          []string{"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"},
		"documentationUri": "https://github.com/guildgate/guildgate",
		"patch":            map[string]any{"supported": true},
		"bulk":             map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":           map[string]any{"supported": true, "maxResults": maxCount},
		"changePassword":   map[string]any{"supported": false},
		"sort":             map[string]any{"supported": false},
		"etag":             map[string]any{"supported": false},
		"authenticationSchemes": []map[string]any{{"type": "oauthbearertoken", "name": "Bearer token",
			"description": "The connection's SCIM token ('guildgate connection scim-token ID')", "primary": true}},
		"meta": map[string]string{"resourceType": "ServiceProviderConfig", "location": c.base + "ServiceProviderConfig"},
	})
	return nil
}

const resourceTypeSchema = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"

func resourceTypeList(c *call) []map[string]any {
	return []map[string]any{
		{"schemas": []string{resourceTypeSchema}, "id": "User", "name": "User", "endpoint": "/Users",
			"description": "A member", "schema": userSchema,
			"schemaExtensions": []map[string]any{{"schema": enterpriseSchema, "required": false}},
			"meta":             map[string]string{"resourceType": "ResourceType", "location": c.base + "ResourceTypes/User"}},
		{"schemas": []string{resourceTypeSchema}, "id": "Group", "name": "Group", "endpoint": "/Groups",
			"description": "A group of the directory, mapped to local groups by the connection's group map",
			"schema":      groupSchema,
			"meta":        map[string]string{"resourceType": "ResourceType", "location": c.base + "ResourceTypes/Group"}},
	}
}

// listOf serves the whole of a fixed list (ResourceTypes, Schemas) as one
// page.
func listOf(all func(*call) []map[string]any) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		items := all(c)
		writeJSON(w, http.StatusOK, listResponse(len(items), paging{start: 1, count: len(items)}, items))
		return nil
	}
}

// oneOf serves the item of a fixed list whose id is the path's, in any
// case; kind names the list's items in the 404.
func oneOf(kind string, all func(*call) []map[string]any) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		id := r.PathValue("id")
		for _, item := range all(c) {
			if strings.EqualFold(item["id"].(string), id) {
				writeJSON(w, http.StatusOK, item)
				return nil
			}
		}
		return notFound(kind + " " + id)
	}
}

// attr describes one attribute as RFC 7643 §7 does.
func attr(name, typ string, required, caseExact bool, mutability, uniqueness string, sub ...map[string]any) map[string]any {
	a := map[string]any{"name": name, "type": typ, "multiValued": false, "required": required,
		"caseExact": caseExact, "mutability": mutability, "returned": "default", "uniqueness": uniqueness}
	if len(sub) > 0 {
		a["subAttributes"] = sub
	}
	return a
}

func multi(a map[string]any) map[string]any { a["multiValued"] = true; return a }

func schemaList(c *call) []map[string]any {
	str := func(name string) map[string]any { return attr(name, "string", false, false, "readWrite", "none") }
	user := map[string]any{"id": userSchema, "name": "User", "description": "A member",
		"attributes": []map[string]any{
			attr("userName", "string", true, false, "readWrite", "server"),
			attr("externalId", "string", false, true, "immutable", "server"),
			attr("name", "complex", false, false, "readWrite", "none", str("formatted"), str("givenName"), str("familyName")),
			str("displayName"), str("preferredLanguage"),
			multi(attr("emails", "complex", false, false, "readWrite", "none", str("value"), str("type"),
				attr("primary", "boolean", false, false, "readWrite", "none"))),
			attr("active", "boolean", false, false, "readWrite", "none"),
			multi(attr("groups", "complex", false, false, "readOnly", "none", str("value"), str("display"))),
		}}
	group := map[string]any{"id": groupSchema, "name": "Group", "description": "A group of the directory",
		"attributes": []map[string]any{
			attr("displayName", "string", true, false, "readWrite", "server"),
			attr("externalId", "string", false, true, "readWrite", "none"),
			multi(attr("members", "complex", false, false, "readWrite", "none",
				attr("value", "string", false, true, "immutable", "none"), str("display"))),
		}}
	out := []map[string]any{user, group}
	for _, s := range out {
		s["schemas"] = []string{"urn:ietf:params:scim:schemas:core:2.0:Schema"}
		s["meta"] = map[string]string{"resourceType": "Schema", "location": c.base + "Schemas/" + s["id"].(string)}
	}
	return out
}
