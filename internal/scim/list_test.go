package scim

import (
	"fmt"
	"slices"
	"testing"
)

// TestPaging: startIndex and count page through the connection's users in
// a stable order (RFC 7644 §3.4.2.4), out-of-range values are clamped,
// and filters page the same way.
func TestPaging(t *testing.T) {
	backends(t, func(t *testing.T, w *world) {
		var all []string
		for i := range 5 {
			all = append(all, w.create(fmt.Sprintf("u%d@acme.example", i), fmt.Sprintf("ext-%d", i)))
		}
		w.do("POST", "/scim/v2/Users", w.contosoToken, userBody("x@contoso.example", "ext-x")) // another connection's
		var seen []string
		for start := 1; start <= 5; start += 2 {
			r := w.do("GET", fmt.Sprintf("/scim/v2/Users?startIndex=%d&count=2", start), w.acmeToken, nil)
			if r.status != 200 || r.body["totalResults"] != float64(5) || r.body["startIndex"] != float64(start) {
				t.Fatalf("page at %d: %s", start, r.raw)
			}
			for _, res := range r.body["Resources"].([]any) {
				seen = append(seen, res.(map[string]any)["id"].(string))
			}
		}
		slices.Sort(seen)
		slices.Sort(all)
		if !slices.Equal(seen, all) {
			t.Fatalf("pages gave %v, want %v", seen, all)
		}
		for path, want := range map[string][2]float64{ // totalResults, itemsPerPage
			"/scim/v2/Users?count=0":                                              {5, 0},
			"/scim/v2/Users?count=-3":                                             {5, 0},
			"/scim/v2/Users?startIndex=0&count=1":                                 {5, 1},
			"/scim/v2/Users?startIndex=99":                                        {5, 0},
			"/scim/v2/Users?count=1000":                                           {5, 5},
			"/scim/v2/Users?filter=userName%20sw%20%22u%22&startIndex=4&count=10": {5, 2},
			"/scim/v2/Users?filter=userName%20sw%20%22u%22%20and%20not%20(externalId%20eq%20%22ext-1%22)": {4, 4},
			"/scim/v2/Users?filter=emails%5Btype%20eq%20%22work%22%20and%20value%20co%20%22u3%22%5D":      {1, 1},
			"/scim/v2/Users?filter=active%20eq%20true%20or%20userName%20pr":                               {5, 5},
		} {
			r := w.do("GET", path, w.acmeToken, nil)
			if r.status != 200 || r.body["totalResults"] != want[0] || r.body["itemsPerPage"] != want[1] ||
				len(r.body["Resources"].([]any)) != int(want[1]) {
				t.Fatalf("%s: want %v, got %d %s", path, want, r.status, r.raw)
			}
		}
		r := w.do("GET", "/scim/v2/Users?attributes=userName&count=1", w.acmeToken, nil)
		res := r.body["Resources"].([]any)[0].(map[string]any)
		if len(res) != 3 || res["userName"] == nil || res["id"] == nil || res["schemas"] == nil {
			t.Fatalf("attributes=userName gave %v", res)
		}
	})
}

// TestDiscovery: the discovery endpoints describe what this server does.
func TestDiscovery(t *testing.T) {
	backends(t, func(t *testing.T, w *world) {
		r := w.do("GET", "/scim/v2/ServiceProviderConfig", w.acmeToken, nil)
		if r.status != 200 || r.body["patch"].(map[string]any)["supported"] != true ||
			r.body["bulk"].(map[string]any)["supported"] != false ||
			r.body["filter"].(map[string]any)["maxResults"] != float64(maxCount) {
			t.Fatalf("ServiceProviderConfig: %s", r.raw)
		}
		for path, total := range map[string]float64{"/scim/v2/ResourceTypes": 2, "/scim/v2/Schemas": 2} {
			if r := w.do("GET", path, w.acmeToken, nil); r.status != 200 || r.body["totalResults"] != total {
				t.Fatalf("%s: %s", path, r.raw)
			}
		}
		for _, path := range []string{"/scim/v2/ResourceTypes/User", "/scim/v2/ResourceTypes/Group",
			"/scim/v2/Schemas/" + userSchema, "/scim/v2/Schemas/" + groupSchema} {
			if r := w.do("GET", path, w.acmeToken, nil); r.status != 200 || r.body["id"] == nil {
				t.Fatalf("%s: %s", path, r.raw)
			}
		}
	})
}
