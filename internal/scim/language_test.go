package scim

import (
	"net/url"
	"slices"
	"testing"

	"github.com/guildgate/guildgate/internal/model"
)

// TestPreferredLanguage: a User's preferredLanguage (RFC 7643 §4.1.1, an
// Accept-Language value) is the member's remembered language, matched to
// one Guildgate speaks as ui_locales is (nl-NL is nl), on create, PUT and
// PATCH (a created member has it from the start: one member.created
// event), shown on GET and list and filterable. A language Guildgate does
// not speak leaves the member's alone; PUT without the attribute keeps it
// (the member may have chosen it); removing it forgets it. SQLite and
// PostgreSQL.
func TestPreferredLanguage(t *testing.T) {
	backends(t, func(t *testing.T, w *world) {
		body := userBody("ada@acme.example", "00u1")
		body["preferredLanguage"] = "fr-CA"
		r := w.do("POST", "/scim/v2/Users", w.acmeToken, body)
		if r.status != 201 || r.body["preferredLanguage"] != "fr" {
			t.Fatalf("create: %d %s", r.status, r.raw)
		}
		id := r.body["id"].(string)
		// The member is created with the language: one event, not a
		// created member then an update.
		if got := w.events(id); !slices.Equal(got, []string{model.EventMemberCreated}) {
			t.Fatalf("events of the create: %v", got)
		}
		user := "/scim/v2/Users/" + id
		stored := func(want string) {
			t.Helper()
			m, err := w.st.Members().Get(t.Context(), "t1", id)
			must(t, err)
			if m.Language != want {
				t.Fatalf("member language %q, want %q", m.Language, want)
			}
			r := w.do("GET", user, w.acmeToken, nil)
			if got, _ := r.body["preferredLanguage"].(string); r.status != 200 || got != want {
				t.Fatalf("GET: preferredLanguage %q, want %q: %s", got, want, r.raw)
			}
		}
		stored("fr")
		for lang, total := range map[string]float64{"fr": 1, "FR": 1, "de": 0} {
			q := url.QueryEscape(`preferredLanguage eq "` + lang + `"`)
			if r := w.do("GET", "/scim/v2/Users?filter="+q, w.acmeToken, nil); r.status != 200 || r.body["totalResults"] != total {
				t.Fatalf("filter %s: %s", lang, r.raw)
			}
		}
		patch := func(op map[string]any) {
			t.Helper()
			if r := w.do("PATCH", user, w.acmeToken, patchBody(op)); r.status != 200 {
				t.Fatalf("PATCH %v: %d %s", op, r.status, r.raw)
			}
		}
		patch(map[string]any{"op": "Replace", "path": "preferredLanguage", "value": "de-AT"})
		stored("de")
		patch(map[string]any{"op": "Add", "value": map[string]any{"preferredLanguage": "nl-NL"}}) // Entra ID's shape
		stored("nl")
		patch(map[string]any{"op": "replace", "path": "preferredLanguage", "value": "ja-JP"})
		stored("nl")
		put := func(lang any) {
			t.Helper()
			b := userBody("ada@acme.example", "00u1")
			if lang != nil {
				b["preferredLanguage"] = lang
			}
			if r := w.do("PUT", user, w.acmeToken, b); r.status != 200 {
				t.Fatalf("PUT %v: %d %s", lang, r.status, r.raw)
			}
		}
		put(nil)
		stored("nl")
		put("es-MX, en;q=0.5")
		stored("es")
		patch(map[string]any{"op": "remove", "path": "preferredLanguage"})
		stored("")
		if r := w.do("GET", user, w.acmeToken, nil); r.body["preferredLanguage"] != nil {
			t.Fatalf("a forgotten language is still shown: %s", r.raw)
		}
		put("en")
		put(nil)
		stored("en")
		put("")
		stored("")
	})
}
