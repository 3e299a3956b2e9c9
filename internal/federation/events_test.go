package federation_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/guildgate/guildgate/internal/upstream/oidc/oidctest"
)

// TestJustInTimeIsAWebhookEvent: a member created at their first sign-in
// through a connection reaches partner apps as one an administrator adds
// does (member.created, then group.member_added for the mapped group), and
// what a later sign-in refreshes from the provider (name, mapped groups)
// is queued too (member.updated, group.member_removed), for that member.
func TestJustInTimeIsAWebhookEvent(t *testing.T) {
	a := newAcme(t, "--jit")
	var hook struct{ ID string }
	if err := json.Unmarshal([]byte(a.s.MustCLI(t, "", "webhook", "add", "--url", "https://lms.example/hooks", "--json")), &hook); err != nil {
		t.Fatal(err)
	}
	wantSignedIn(t, a.signIn(newBrowser(t, a.s), "ada@acme.example", ""), "/login")
	ms := members(t, a.s)
	if len(ms) != 1 {
		t.Fatalf("members: %+v", ms)
	}
	want := []string{"member.created", "group.member_added"}
	if got := a.s.DeliveredEvents(t, hook.ID, ms[0].ID); !slices.Equal(got, want) {
		t.Fatalf("after the first sign-in: %v, want %v", got, want)
	}

	a.p.Set(func(p *oidctest.Provider) { p.Claims["name"], p.Claims["groups"] = "Ada King", []any{"Sales"} })
	wantSignedIn(t, a.signIn(newBrowser(t, a.s), "ada@acme.example", ""), "/login")
	want = append(want, "member.updated", "group.member_removed")
	if got := a.s.DeliveredEvents(t, hook.ID, ms[0].ID); !slices.Equal(got, want) {
		t.Fatalf("after the second sign-in: %v, want %v", got, want)
	}
}
