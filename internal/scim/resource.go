package scim

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// userResource is the member as a SCIM User. userName and the one email
// are the member's address; groups are the directory's groups it is in.
func (h *Handler) userResource(ctx context.Context, c *call, u scimUser) (map[string]any, error) {
	gs, err := h.SCIM.GroupsOfMember(ctx, c.tenant.ID, c.conn.ID, u.m.ID)
	if err != nil {
		return nil, fmt.Errorf("groups of member: %w", err)
	}
	groups := make([]map[string]string, len(gs))
	for i, g := range gs {
		groups[i] = map[string]string{"value": g.ID, "display": g.DisplayName, "$ref": c.base + "Groups/" + g.ID}
	}
	res := map[string]any{
		"schemas": []string{userSchema}, "id": u.m.ID, "userName": u.m.Email, "displayName": u.m.Name,
		"name":   map[string]string{"formatted": u.m.Name, "givenName": u.m.GivenName, "familyName": u.m.FamilyName},
		"emails": []map[string]any{{"value": u.m.Email, "type": "work", "primary": true}},
		"active": !u.m.Disabled, "groups": groups,
		"meta": meta("User", c.base+"Users/"+u.m.ID, u.m.CreatedAt, u.m.UpdatedAt),
	}
	if ext, ok := externalID(u.id.Subject); ok {
		res["externalId"] = ext
	}
	if u.m.Language != "" {
		res["preferredLanguage"] = u.m.Language
	}
	return res, nil
}

// writeResource sends one resource as the request's attributes and
// excludedAttributes ask, with its Location when it was just created
// (RFC 7644 §3.3).
func writeResource(w http.ResponseWriter, r *http.Request, status int, location string, res map[string]any) error {
	p, err := projectionOf(r)
	if err != nil {
		return err
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", location)
	}
	writeJSON(w, status, p.apply(res))
	return nil
}

func meta(resourceType, location string, created, updated time.Time) map[string]string {
	return map[string]string{"resourceType": resourceType, "location": location,
		"created": created.UTC().Format(time.RFC3339), "lastModified": updated.UTC().Format(time.RFC3339)}
}

// projection is the attributes and excludedAttributes parameters (RFC
// 7644 §3.9), on top-level attributes; id and schemas always stay.
type projection struct {
	only, without map[string]bool
}

func projectionOf(r *http.Request) (projection, error) {
	q := r.URL.Query()
	p := projection{only: attrSet(q.Get("attributes")), without: attrSet(q.Get("excludedAttributes"))}
	if len(p.only) > 0 && len(p.without) > 0 {
		return p, badRequest(invalidValue, "give attributes or excludedAttributes, not both")
	}
	return p, nil
}

// attrSet reads a comma-separated list of attribute names, lower-cased,
// URN prefixes and sub-attributes dropped ("name.givenName" keeps name).
func attrSet(s string) map[string]bool {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	out := map[string]bool{}
	for a := range strings.SplitSeq(s, ",") {
		a = strings.ToLower(strings.TrimSpace(a))
		for _, urn := range []string{userSchema, groupSchema} {
			a = strings.TrimPrefix(a, strings.ToLower(urn)+":")
		}
		a, _, _ = strings.Cut(a, ".")
		out[a] = true
	}
	return out
}

func (p projection) apply(res map[string]any) map[string]any {
	for k := range res {
		lk := strings.ToLower(k)
		if lk == "id" || lk == "schemas" {
			continue
		}
		if p.without[lk] || (len(p.only) > 0 && !p.only[lk]) {
			delete(res, k)
		}
	}
	return res
}

// maxCount is the largest page; ServiceProviderConfig says so.
const maxCount = 100

// paging is startIndex (1-based) and count (RFC 7644 §3.4.2.4); a value
// out of range is clamped, as the RFC asks, but one that is not a number
// is an error.
type paging struct{ start, count int }

func pagingOf(r *http.Request) (paging, error) {
	p := paging{start: 1, count: maxCount}
	q := r.URL.Query()
	for _, f := range []struct {
		name string
		dst  *int
	}{{"startIndex", &p.start}, {"count", &p.count}} {
		if v := q.Get(f.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return p, badRequest(invalidValue, "%s must be an integer", f.name)
			}
			*f.dst = n
		}
	}
	p.start, p.count = max(p.start, 1), min(max(p.count, 0), maxCount)
	return p, nil
}

// listResponse is RFC 7644 §3.4.2's ListResponse.
func listResponse(total int, p paging, items []map[string]any) map[string]any {
	if items == nil {
		items = []map[string]any{}
	}
	return map[string]any{"schemas": []string{listSchema}, "totalResults": total,
		"startIndex": p.start, "itemsPerPage": len(items), "Resources": items}
}

// window returns the page p of all.
func window[T any](all []T, p paging) []T {
	from := min(p.start-1, len(all))
	return all[from:min(from+p.count, len(all))]
}

// userRecord is u as a filter sees it.
func userRecord(u scimUser) record {
	ext, _ := externalID(u.id.Subject)
	return record{values: map[string]string{"id": u.m.ID, "externalid": ext, "username": u.m.Email,
		"displayname": u.m.Name, "active": strconv.FormatBool(!u.m.Disabled), "name.givenname": u.m.GivenName,
		"name.familyname": u.m.FamilyName, "name.formatted": u.m.Name,
		"preferredlanguage": u.m.Language},
		multi: map[string][]record{"emails": {{values: map[string]string{"value": u.m.Email, "type": "work", "primary": "true"}}}}}
}
