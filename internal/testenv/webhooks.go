package testenv

import (
	"encoding/json"
	"slices"
	"testing"
)

// DeliveredEvents is the event types queued for webhook endpoint hook
// about member, oldest first, as `guildgate webhook deliveries` lists them.
func (s *Server) DeliveredEvents(t testing.TB, hook, member string) []string {
	t.Helper()
	var ds []struct {
		EventType string `json:"event_type"`
		MemberID  string `json:"member_id"`
	}
	if err := json.Unmarshal([]byte(s.MustCLI(t, "", "webhook", "deliveries", hook, "--json")), &ds); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range slices.Backward(ds) {
		if d.MemberID == member {
			out = append(out, d.EventType)
		}
	}
	return out
}
