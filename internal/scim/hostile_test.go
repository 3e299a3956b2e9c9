package scim

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/scimtokens"
	"github.com/guildgate/guildgate/internal/store"
)

func userBody(email, ext string) map[string]any {
	return map[string]any{"schemas": []string{userSchema}, "userName": email, "externalId": ext,
		"name": map[string]any{"givenName": "Eve", "familyName": "Example"}, "active": true}
}

func patchBody(ops ...map[string]any) map[string]any {
	return map[string]any{"schemas": []string{patchSchema}, "Operations": ops}
}

// create provisions a user through acme and returns its id.
func (w *world) create(email, ext string) string {
	w.t.Helper()
	r := w.do("POST", "/scim/v2/Users", w.acmeToken, userBody(email, ext))
	if r.status != 201 {
		w.t.Fatalf("create %s: %d %s", email, r.status, r.raw)
	}
	return r.body["id"].(string)
}

// snapshot is everything a refused request must leave as it was.
func (w *world) snapshot() string {
	w.t.Helper()
	ctx := w.t.Context()
	p, err := w.st.Members().List(ctx, "t1", store.MemberQuery{Limit: store.MaxLimit})
	must(w.t, err)
	var b strings.Builder
	for _, m := range p.Items {
		ids, err := w.st.Identities().ListForMember(ctx, "t1", m.ID)
		must(w.t, err)
		gs, err := w.st.Groups().ListForMember(ctx, "t1", m.ID)
		must(w.t, err)
		b.WriteString(strings.Join([]string{m.ID, m.Email, m.Name, m.GivenName, m.FamilyName, m.Language,
			map[bool]string{true: "disabled"}[m.Disabled]}, "|"))
		for _, id := range ids {
			b.WriteString(" " + id.ConnectionID + "/" + id.Subject)
		}
		for _, g := range gs {
			b.WriteString(" " + g.Name)
		}
		b.WriteString("\n")
	}
	queued, err := w.st.Outbox().List(ctx, "t1", store.OutboxQuery{Limit: store.MaxLimit})
	must(w.t, err)
	fmt.Fprintf(&b, "outbox items: %d\n", len(queued.Items))
	for _, c := range []string{w.acme.ID, w.contoso.ID} {
		gs, _, err := w.st.SCIM().ListGroups(ctx, "t1", c, store.SCIMGroupQuery{})
		must(w.t, err)
		for _, g := range gs {
			b.WriteString("group " + g.DisplayName + "\n")
		}
	}
	return b.String()
}

func TestAuthentication(t *testing.T) {
	backends(t, func(t *testing.T, w *world) {
		ada := w.create("ada@acme.example", "ext-ada")
		tokens := &scimtokens.Service{Connections: w.st.Connections(), SCIM: w.st.SCIM(), Audit: w.st.Audit(), Now: func() time.Time { return clock }}
		replaced := w.acmeToken
		w.acmeToken = issue(t, tokens, "t1", w.acme.ID)
		for name, token := range map[string]string{
			"none":                     "",
			"garbage":                  "not-a-token",
			"wrong secret":             scimtokens.Prefix + w.acme.ID + "." + strings.Repeat("A", 43),
			"replaced token":           replaced,
			"token of another site":    w.otherSiteToken,
			"unknown connection":       scimtokens.Prefix + "nope." + strings.Repeat("A", 43),
			"api key shape":            "gga_" + strings.Repeat("A", 43),
			"token with trailing junk": w.acmeToken + "x",
		} {
			for _, path := range []string{"/scim/v2/Users/" + ada, "/scim/v2/ServiceProviderConfig", "/scim/v2/nothing"} {
				r := w.do("GET", path, token, nil)
				r.wantError(t, 401, "")
				if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
					t.Fatalf("%s: no Bearer challenge", name)
				}
			}
		}
		if r := w.do("GET", "/scim/v2/Users/"+ada, w.acmeToken, nil); r.status != 200 {
			t.Fatalf("the current token: %d %s", r.status, r.raw)
		}
	})
}

// TestConnectionIsolation: a connection's token reaches only its own users
// and groups, never another connection's (or a member who is no one's).
func TestConnectionIsolation(t *testing.T) {
	backends(t, func(t *testing.T, w *world) {
		ada := w.create("ada@acme.example", "ext-ada")
		local := model.Member{ID: "m-local", TenantID: "t1", Email: "carol@acme.example", Name: "Carol",
			Status: model.StatusCurrent, PasswordHash: "x", CreatedAt: clock, UpdatedAt: clock}
		must(t, w.st.Members().Create(t.Context(), local))
		eng := w.do("POST", "/scim/v2/Groups", w.acmeToken, map[string]any{"schemas": []string{groupSchema},
			"displayName": "Engineering"}).body["id"].(string)
		before := w.snapshot()
		for _, id := range []string{ada, local.ID} {
			w.do("GET", "/scim/v2/Users/"+id, w.contosoToken, nil).wantError(t, 404, "")
			w.do("PATCH", "/scim/v2/Users/"+id, w.contosoToken, patchBody(map[string]any{"op": "replace",
				"value": map[string]any{"active": false}})).wantError(t, 404, "")
			w.do("DELETE", "/scim/v2/Users/"+id, w.contosoToken, nil).wantError(t, 404, "")
		}
		// A member of the tenant that no connection provisioned is no SCIM user, even to acme.
		w.do("GET", "/scim/v2/Users/"+local.ID, w.acmeToken, nil).wantError(t, 404, "")
		w.do("GET", "/scim/v2/Groups/"+eng, w.contosoToken, nil).wantError(t, 404, "")
		w.do("DELETE", "/scim/v2/Groups/"+eng, w.contosoToken, nil).wantError(t, 404, "")
		// Lists and filters see nothing of another connection.
		for _, path := range []string{"/scim/v2/Users", "/scim/v2/Groups",
			"/scim/v2/Users?filter=userName%20eq%20%22ada%40acme.example%22",
			"/scim/v2/Users?filter=id%20eq%20%22" + ada + "%22"} {
			if r := w.do("GET", path, w.contosoToken, nil); r.status != 200 || r.body["totalResults"] != float64(0) {
				t.Fatalf("%s through contoso: %d %s", path, r.status, r.raw)
			}
		}
		// contoso cannot put acme's user, or a local member, in its groups.
		for _, id := range []string{ada, local.ID, "no-such-member"} {
			w.do("POST", "/scim/v2/Groups", w.contosoToken, map[string]any{"schemas": []string{groupSchema},
				"displayName": "Sales", "members": []map[string]string{{"value": id}}}).wantError(t, 400, invalidValue)
		}
		// A user outside the connection's domains is refused, and so is a move there.
		w.do("POST", "/scim/v2/Users", w.contosoToken, userBody("eve@acme.example", "ext-eve")).wantError(t, 400, invalidValue)
		w.do("POST", "/scim/v2/Users", w.acmeToken, userBody("eve@other.example", "ext-eve")).wantError(t, 400, invalidValue)
		w.do("PATCH", "/scim/v2/Users/"+ada, w.acmeToken, patchBody(map[string]any{"op": "replace",
			"path": "userName", "value": "ada@contoso.example"})).wantError(t, 400, invalidValue)
		w.do("PATCH", "/scim/v2/Users/"+ada, w.acmeToken, patchBody(map[string]any{"op": "replace",
			"path": `emails[type eq "work"].value`, "value": "ada@other.example"})).wantError(t, 400, invalidValue)
		if after := w.snapshot(); after != before {
			t.Fatalf("refused requests changed the directory:\n%s\nwas\n%s", after, before)
		}
	})
}

// TestLinking: SCIM follows the linking rules: an existing member of the
// connection's domain is linked, not duplicated; a disabled one is not
// taken over; a user the connection has already is a conflict.
func TestLinking(t *testing.T) {
	backends(t, func(t *testing.T, w *world) {
		ctx := t.Context()
		for _, m := range []model.Member{
			{ID: "m-carol", Email: "Carol@acme.example", Name: "Carol", PasswordHash: "x"},
			{ID: "m-dan", Email: "dan@acme.example", Name: "Dan", Disabled: true},
		} {
			m.TenantID, m.Status, m.CreatedAt, m.UpdatedAt = "t1", model.StatusCurrent, clock, clock
			must(t, w.st.Members().Create(ctx, m))
		}
		r := w.do("POST", "/scim/v2/Users", w.acmeToken, userBody("carol@acme.example", "ext-carol"))
		if r.status != 201 || r.body["id"] != "m-carol" {
			t.Fatalf("existing member not linked: %d %s", r.status, r.raw)
		}
		if m, _ := w.st.Members().Get(ctx, "t1", "m-carol"); m.PasswordHash != "x" || m.Name != "Eve Example" || !m.EmailVerified {
			t.Fatalf("linked member %+v", m)
		}
		before := w.snapshot()
		w.do("POST", "/scim/v2/Users", w.acmeToken, userBody("dan@acme.example", "ext-dan")).wantError(t, 409, uniqueness)
		w.do("POST", "/scim/v2/Users", w.acmeToken, userBody("other@acme.example", "ext-carol")).wantError(t, 409, uniqueness)
		w.do("POST", "/scim/v2/Users", w.acmeToken, userBody("CAROL@acme.example", "ext-carol-2")).wantError(t, 409, uniqueness)
		w.do("PUT", "/scim/v2/Users/m-carol", w.acmeToken, userBody("carol@acme.example", "changed")).wantError(t, 400, mutability)
		if after := w.snapshot(); after != before {
			t.Fatalf("refused requests changed the directory:\n%s\nwas\n%s", after, before)
		}
		// A user without externalId is linked by its userName.
		r = w.do("POST", "/scim/v2/Users", w.acmeToken, map[string]any{"schemas": []string{userSchema}, "userName": "fay@acme.example"})
		if r.status != 201 || r.body["externalId"] != nil || r.body["displayName"] != "fay" {
			t.Fatalf("user without externalId: %d %s", r.status, r.raw)
		}
		if _, err := w.st.Identities().Get(ctx, "t1", w.acme.ID, model.SCIMIssuer, "user:fay@acme.example"); err != nil {
			t.Fatal(err)
		}
		// Created inactive: a member who cannot sign in.
		r = w.do("POST", "/scim/v2/Users", w.acmeToken, map[string]any{"schemas": []string{userSchema},
			"userName": "gus@acme.example", "active": "False"})
		if m, _ := w.st.Members().GetByEmail(ctx, "t1", "gus@acme.example"); r.status != 201 || !m.Disabled {
			t.Fatalf("inactive user: %d %s %+v", r.status, r.raw, m)
		}
	})
}

// TestBadInput: every malformed, oversized or hostile request gets a SCIM
// error and changes nothing.
func TestBadInput(t *testing.T) {
	backends(t, func(t *testing.T, w *world) {
		ada := w.create("ada@acme.example", "ext-ada")
		eng := w.do("POST", "/scim/v2/Groups", w.acmeToken, map[string]any{"schemas": []string{groupSchema},
			"displayName": "Engineering", "members": []map[string]string{{"value": ada}}}).body["id"].(string)
		before := w.snapshot()
		huge := patchBody()
		ops := []map[string]any{}
		for range 3000 {
			ops = append(ops, map[string]any{"op": "replace", "path": "displayName", "value": strings.Repeat("x", 30)})
		}
		huge["Operations"] = ops
		tooManyOps := patchBody()
		few := []map[string]any{}
		for range maxOperations + 1 {
			few = append(few, map[string]any{"op": "add", "path": "title", "value": "x"})
		}
		tooManyOps["Operations"] = few
		user := "/scim/v2/Users/" + ada
		for _, tc := range []struct {
			name, method, path string
			body               any
			status             int
			scimType           string
		}{
			{"not JSON", "POST", "/scim/v2/Users", "{not json", 400, invalidSyntax},
			{"JSON array", "POST", "/scim/v2/Users", "[]", 400, invalidSyntax},
			{"trailing data", "POST", "/scim/v2/Users", `{"schemas":["` + userSchema + `"],"userName":"x@acme.example"} {}`, 400, invalidSyntax},
			{"duplicate key", "POST", "/scim/v2/Users", `{"schemas":["` + userSchema + `"],"userName":"x@acme.example","UserName":"y@acme.example"}`, 400, invalidSyntax},
			{"no schemas", "POST", "/scim/v2/Users", map[string]any{"userName": "x@acme.example"}, 400, invalidSyntax},
			{"group schema for a user", "POST", "/scim/v2/Users", map[string]any{"schemas": []string{groupSchema}, "userName": "x@acme.example"}, 400, invalidValue},
			{"foreign schema", "POST", "/scim/v2/Users", map[string]any{"schemas": []string{userSchema, "urn:example:evil"}, "userName": "x@acme.example"}, 400, invalidValue},
			{"unknown attribute", "POST", "/scim/v2/Users", map[string]any{"schemas": []string{userSchema}, "userName": "x@acme.example", "isAdmin": true}, 400, invalidSyntax},
			{"no userName", "POST", "/scim/v2/Users", map[string]any{"schemas": []string{userSchema}}, 400, invalidValue},
			{"userName not an address", "POST", "/scim/v2/Users", map[string]any{"schemas": []string{userSchema}, "userName": "ada"}, 400, invalidValue},
			{"wrong type", "POST", "/scim/v2/Users", map[string]any{"schemas": []string{userSchema}, "userName": 7}, 400, invalidValue},
			{"active not boolean", "POST", "/scim/v2/Users", map[string]any{"schemas": []string{userSchema}, "userName": "x@acme.example", "active": "maybe"}, 400, invalidValue},
			{"malformed preferredLanguage", "POST", "/scim/v2/Users", map[string]any{"schemas": []string{userSchema}, "userName": "x@acme.example", "preferredLanguage": "not a tag!!"}, 400, invalidValue},
			{"preferredLanguage not a string", "POST", "/scim/v2/Users", map[string]any{"schemas": []string{userSchema}, "userName": "x@acme.example", "preferredLanguage": []string{"fr"}}, 400, invalidValue},
			{"PUT malformed preferredLanguage", "PUT", user, map[string]any{"schemas": []string{userSchema}, "userName": "ada@acme.example", "preferredLanguage": "fr;q=abc"}, 400, invalidValue},
			{"PATCH malformed preferredLanguage", "PATCH", user, patchBody(map[string]any{"op": "replace", "path": "preferredLanguage", "value": "x"}), 400, invalidValue},
			{"over-long name", "PUT", user, map[string]any{"schemas": []string{userSchema}, "userName": "ada@acme.example", "displayName": strings.Repeat("n", 1000)}, 400, invalidValue},
			{"PATCH without PatchOp schema", "PATCH", user, map[string]any{"Operations": []any{}}, 400, invalidSyntax},
			{"PATCH no operations", "PATCH", user, patchBody(), 400, invalidValue},
			{"PATCH bad op", "PATCH", user, patchBody(map[string]any{"op": "merge", "path": "displayName", "value": "x"}), 400, invalidSyntax},
			{"PATCH bad path", "PATCH", user, patchBody(map[string]any{"op": "replace", "path": "emails[type eq", "value": "x"}), 400, invalidPath},
			{"PATCH unknown attribute", "PATCH", user, patchBody(map[string]any{"op": "replace", "path": "isAdmin", "value": true}), 400, invalidSyntax},
			{"PATCH foreign schema path", "PATCH", user, patchBody(map[string]any{"op": "replace", "path": "urn:example:evil:User:x", "value": 1}), 400, invalidPath},
			{"PATCH remove userName", "PATCH", user, patchBody(map[string]any{"op": "remove", "path": "userName"}), 400, mutability},
			{"PATCH remove without path", "PATCH", user, patchBody(map[string]any{"op": "remove"}), 400, noTarget},
			{"PATCH replace without value", "PATCH", user, patchBody(map[string]any{"op": "replace", "path": "displayName"}), 400, invalidValue},
			{"PATCH externalId", "PATCH", user, patchBody(map[string]any{"op": "replace", "path": "externalId", "value": "other"}), 400, mutability},
			{"PATCH active string", "PATCH", user, patchBody(map[string]any{"op": "replace", "path": "active", "value": "nope"}), 400, invalidValue},
			{"PATCH too many operations", "PATCH", user, tooManyOps, 400, tooMany},
			{"huge PATCH", "PATCH", user, huge, 413, tooMany},
			{"group unknown attribute", "POST", "/scim/v2/Groups", map[string]any{"schemas": []string{groupSchema}, "displayName": "X", "owner": "me"}, 400, invalidSyntax},
			{"group no name", "POST", "/scim/v2/Groups", map[string]any{"schemas": []string{groupSchema}}, 400, invalidValue},
			{"group name taken", "POST", "/scim/v2/Groups", map[string]any{"schemas": []string{groupSchema}, "displayName": "ENGINEERING"}, 409, uniqueness},
			{"group member without value", "PATCH", "/scim/v2/Groups/" + eng, patchBody(map[string]any{"op": "add", "path": "members", "value": []map[string]string{{"display": "x"}}}), 400, invalidValue},
			{"group filtered add", "PATCH", "/scim/v2/Groups/" + eng, patchBody(map[string]any{"op": "add", "path": `members[value eq "x"]`, "value": "x"}), 400, invalidPath},
			{"group bad member filter", "PATCH", "/scim/v2/Groups/" + eng, patchBody(map[string]any{"op": "remove", "path": `members[display gt "x"]`}), 400, invalidFilter},
			{"group remove name", "PATCH", "/scim/v2/Groups/" + eng, patchBody(map[string]any{"op": "remove", "path": "displayName"}), 400, mutability},
			{"malformed filter", "GET", "/scim/v2/Users?filter=userName%20eq", nil, 400, invalidFilter},
			{"filter on unknown attribute", "GET", "/scim/v2/Users?filter=password%20eq%20%22x%22", nil, 400, invalidFilter},
			{"filter with gt", "GET", "/scim/v2/Users?filter=userName%20gt%20%22a%22", nil, 400, invalidFilter},
			{"filter of another schema", "GET", "/scim/v2/Users?filter=urn:example:x:userName%20eq%20%22a%22", nil, 400, invalidFilter},
			{"over-long filter", "GET", "/scim/v2/Users?filter=userName%20eq%20%22" + strings.Repeat("a", 1100) + "%22", nil, 400, invalidFilter},
			{"group filter on user attribute", "GET", "/scim/v2/Groups?filter=userName%20eq%20%22a%22", nil, 400, invalidFilter},
			{"count not a number", "GET", "/scim/v2/Users?count=ten", nil, 400, invalidValue},
			{"both projections", "GET", "/scim/v2/Users?attributes=userName&excludedAttributes=emails", nil, 400, invalidValue},
			{"wrong media type", "POST", "/scim/v2/Users", []byte("userName=x"), 415, ""},
			{"unknown endpoint", "POST", "/scim/v2/Bulk", map[string]any{}, 404, ""},
			{"wrong method", "DELETE", "/scim/v2/Users", nil, 405, ""},
			{"unknown user", "GET", "/scim/v2/Users/nope", nil, 404, ""},
			{"unknown schema", "GET", "/scim/v2/Schemas/urn:nope", nil, 404, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := w.doAs(tc.method, tc.path, w.acmeToken, tc.body, tc.name == "wrong media type")
				r.wantError(t, tc.status, tc.scimType)
			})
		}
		if after := w.snapshot(); after != before {
			t.Fatalf("refused requests changed the directory:\n%s\nwas\n%s", after, before)
		}
	})
}
