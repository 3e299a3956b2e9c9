package scim

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"testing"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/model"
)

// wantBadRequest requires err to be nil or a 400 in SCIM's form (413 for
// nothing here: the body limit is the server's).
func wantBadRequest(t *testing.T, what string, err error) {
	if err == nil {
		return
	}
	e, ok := errors.AsType[*httpx.Error](err)
	if !ok || e.Status != http.StatusBadRequest || e.Message == "" {
		t.Fatalf("%s: %v is not a SCIM 400", what, err)
	}
	if _, typed := errors.AsType[scimType](e.Cause); !typed {
		t.Fatalf("%s: %v has no scimType", what, err)
	}
}

// FuzzFilter: any filter is parsed, checked and evaluated without a panic,
// or refused as invalidFilter.
func FuzzFilter(f *testing.F) {
	for _, s := range []string{`userName eq "ada@acme.example"`, `externalId eq "00u1"`,
		`emails[type eq "work" and value co "@acme"]`, `not (active eq true) or name.givenName sw "A"`,
		`members[value eq "m1"] and id eq "g1"`, `urn:ietf:params:scim:schemas:core:2.0:User:userName pr`,
		`userName eq`, `((`, `meta.lastModified gt "2011-05-13T04:42:34Z"`, `displayName eq null`} {
		f.Add(s)
	}
	u := userRecord(scimUser{m: model.Member{ID: "m1", Email: "ada@acme.example", Name: "Ada"},
		id: model.Identity{Subject: extPrefix + "00u1"}})
	g := groupRecord(model.SCIMGroup{ID: "g1", DisplayName: "Staff"}, group{Members: map[string]bool{"m1": true}})
	f.Fuzz(func(t *testing.T, raw string) {
		for _, tc := range []struct {
			s schemaAttrs
			r record
		}{{userFilterAttrs, u}, {groupFilterAttrs, g}} {
			e, err := parseFilter(raw, tc.s)
			wantBadRequest(t, "filter "+raw, err)
			if err == nil {
				tc.s.match(e, tc.r)
				hint(e, tc.s, "id", "username", "externalid", "displayname")
			}
		}
	})
}

// FuzzPatch: any body is read as a PatchOp and applied to a user and to a
// group without a panic, or refused with a SCIM 400.
func FuzzPatch(f *testing.F) {
	for _, file := range []string{"testdata/okta.json", "testdata/entra.json"} {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var seq sequence
		if err := json.Unmarshal(raw, &seq); err != nil {
			f.Fatal(err)
		}
		for _, st := range seq.Steps {
			if len(st.Body) > 0 {
				f.Add([]byte(st.Body))
			}
		}
	}
	f.Add([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"m1\"]"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		o, err := parseObject(body)
		wantBadRequest(t, "object", err)
		if err != nil {
			return
		}
		if _, err := parseUser(o); err != nil {
			wantBadRequest(t, "user", err)
		}
		if _, err := parseGroup(o); err != nil {
			wantBadRequest(t, "group", err)
		}
		ops, err := parsePatch(o)
		wantBadRequest(t, "patch", err)
		if err != nil {
			return
		}
		u := user{UserName: "ada@acme.example", Email: "ada@acme.example", Active: true}
		wantBadRequest(t, "user patch", u.patch(ops))
		g := group{DisplayName: "Staff", Members: map[string]bool{"m1": true}}
		wantBadRequest(t, "group patch", g.patch(ops))
	})
}
