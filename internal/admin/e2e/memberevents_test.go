package e2e

import (
	"encoding/json"
	"net/url"
	"slices"
	"testing"

	"github.com/guildgate/guildgate/internal/testenv"
)

// TestMemberOwnChangesAreWebhookEvents: what a member changes on their own
// page (/account/) reaches partner apps as a change made by an
// administrator does: a new name and a new language each queue
// member.updated for that member, through the app's own wiring; a
// language already remembered queues nothing. SQLite and PostgreSQL.
func TestMemberOwnChangesAreWebhookEvents(t *testing.T) {
	for _, backend := range []testenv.Backend{testenv.SQLite, testenv.Postgres} {
		t.Run(string(backend), func(t *testing.T) {
			s := testenv.Start(t, backend, nil)
			var hook struct{ ID string }
			if err := json.Unmarshal([]byte(s.MustCLI(t, "", "webhook", "add", "--url", "https://lms.example/hooks", "--json")), &hook); err != nil {
				t.Fatal(err)
			}
			ada := addMember(t, s, "ada@example.org")
			b := newBrowser(t, s)
			b.signIn("ada@example.org")
			want := []string{"member.created"}
			if got := s.DeliveredEvents(t, hook.ID, ada); !slices.Equal(got, want) {
				t.Fatalf("before any change: %v, want %v", got, want)
			}
			wantSeeOther(t, b.postPage("/account/", "/account/profile", url.Values{"name": {"Ada King"},
				"given_name": {"Ada"}, "family_name": {"King"}}), "/account/?done=profile")
			want = append(want, "member.updated")
			if got := s.DeliveredEvents(t, hook.ID, ada); !slices.Equal(got, want) {
				t.Fatalf("after a new name: %v, want %v", got, want)
			}
			for range 2 { // the second time nothing changes, and nothing is sent
				wantSeeOther(t, b.postPage("/account/", "/account/language", url.Values{"language": {"nl"}}), "/account/?done=language")
			}
			want = append(want, "member.updated")
			if got := s.DeliveredEvents(t, hook.ID, ada); !slices.Equal(got, want) {
				t.Fatalf("after a new language: %v, want %v", got, want)
			}
		})
	}
}
