package scim

import (
	"slices"
	"testing"

	"github.com/guildgate/guildgate/internal/model"
)

// TestChangesAreWebhookEvents: what an organisation's directory changes
// over SCIM reaches partner apps as webhook events, like a change made in
// the console: a push creates the member and, through the group map, puts
// them in the mapped group; deactivation, reactivation and delete each
// queue their event, in the order made, on SQLite and PostgreSQL.
func TestChangesAreWebhookEvents(t *testing.T) {
	backends(t, func(t *testing.T, w *world) {
		r := w.do("POST", "/scim/v2/Users", w.acmeToken, userBody("ada@acme.example", "00u1"))
		if r.status != 201 {
			t.Fatalf("create: %d %s", r.status, r.raw)
		}
		id := r.body["id"].(string)
		w.do("POST", "/scim/v2/Groups", w.acmeToken, map[string]any{"schemas": []string{groupSchema},
			"displayName": "Engineering", "members": []map[string]string{{"value": id}}})
		active := func(v any) {
			t.Helper()
			if r := w.do("PATCH", "/scim/v2/Users/"+id, w.acmeToken, patchBody(map[string]any{"op": "Replace",
				"path": "active", "value": v})); r.status != 200 {
				t.Fatalf("active %v: %d %s", v, r.status, r.raw)
			}
		}
		active("False")
		active(false) // again: nothing changes, nothing is sent
		active(true)
		if r := w.do("DELETE", "/scim/v2/Users/"+id, w.acmeToken, nil); r.status != 204 {
			t.Fatalf("delete: %d %s", r.status, r.raw)
		}
		want := []string{model.EventMemberCreated, model.EventGroupMemberAdded, model.EventMemberDisabled,
			model.EventMemberEnabled, model.EventMemberDisabled, model.EventGroupMemberRemoved}
		if got := w.events(id); !slices.Equal(got, want) {
			t.Fatalf("events %v, want %v", got, want)
		}
	})
}
