package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

type jsonWebhook struct {
	ID          string   `json:"id"`
	URL         string   `json:"url"`
	Events      []string `json:"events"`
	Disabled    bool     `json:"disabled"`
	LiveSecrets int      `json:"live_secrets"`
	Secret      string   `json:"secret"`
}

// TestWebhookLifecycle: add prints the secret once, show and list never
// do; rotate-secret prints a new one and keeps the old signing during the
// overlap; delete ends it; bad input exits 2 and stores nothing.
func TestWebhookLifecycle(t *testing.T) {
	h := newHarness(t)
	var w jsonWebhook
	h.okJSON(&w, "", "webhook", "add", "--url", "https://lms.example/hooks", "--events", "member.disabled,member.deleted", "--json")
	if w.URL != "https://lms.example/hooks" || strings.Join(w.Events, ",") != "member.disabled,member.deleted" ||
		!strings.HasPrefix(w.Secret, "whsec_") || w.LiveSecrets != 1 {
		t.Fatalf("add: %+v", w)
	}
	for _, args := range [][]string{{"webhook", "show", w.ID}, {"webhook", "list"}, {"webhook", "show", w.ID, "--json"}, {"webhook", "list", "--json"}} {
		if out := h.ok("", args...); strings.Contains(out, w.Secret[6:]) || !strings.Contains(out, w.ID) {
			t.Fatalf("%v: %q", args, out)
		}
	}
	var rotated jsonWebhook
	h.okJSON(&rotated, "", "webhook", "rotate-secret", w.ID, "--overlap", "1h", "--json")
	if rotated.Secret == w.Secret || !strings.HasPrefix(rotated.Secret, "whsec_") || rotated.LiveSecrets != 2 {
		t.Fatalf("rotate: %+v", rotated)
	}
	text := strings.Join(strings.Fields(h.ok("", "webhook", "rotate-secret", w.ID, "--overlap", "0")), " ")
	if !strings.Contains(text, "secret: whsec_") || !strings.Contains(text, "signing_secrets: 1 ") {
		t.Fatalf("rotate text: %q", text)
	}
	before := h.ok("", "webhook", "list", "--json")
	h.fails(2, "must be an absolute https URL", "", "webhook", "add", "--url", "http://lms.example/hooks")
	h.fails(2, `"member.exploded" is not an event type`, "", "webhook", "add", "--url", "https://lms.example/x", "--events", "member.exploded")
	h.fails(2, "overlap", "", "webhook", "rotate-secret", w.ID, "--overlap", "1000h")
	h.fails(2, `no webhook endpoint with id "nope"`, "", "webhook", "show", "nope")
	if after := h.ok("", "webhook", "list", "--json"); after != before {
		t.Fatalf("refused commands changed the endpoints:\n%s\nwas\n%s", after, before)
	}
	h.ok("", "webhook", "delete", w.ID)
	h.fails(2, `no webhook endpoint with id`, "", "webhook", "show", w.ID)
}

type jsonDelivery struct {
	ID, EventType, MemberID, WebhookID, Status string
	Attempts, LastResponseCode                 int
}

func (d *jsonDelivery) UnmarshalJSON(b []byte) error {
	var v struct {
		ID               string `json:"id"`
		EventType        string `json:"event_type"`
		MemberID         string `json:"member_id"`
		WebhookID        string `json:"webhook_id"`
		Status           string `json:"status"`
		Attempts         int    `json:"attempts"`
		LastResponseCode int    `json:"last_response_code"`
	}
	err := json.Unmarshal(b, &v)
	*d = jsonDelivery{v.ID, v.EventType, v.MemberID, v.WebhookID, v.Status, v.Attempts, v.LastResponseCode}
	return err
}

// TestWebhookDeliveries: changes made from the shell queue their events
// (the CLI goes through the directory service like every surface); the
// endpoint's deliveries list them newest first, pending until a server
// sends them; redeliver queues one again with the same webhook-id; bad
// ids exit 2 and queue nothing.
func TestWebhookDeliveries(t *testing.T) {
	h := newHarness(t)
	var w jsonWebhook
	h.okJSON(&w, "", "webhook", "add", "--url", "https://lms.example/hooks", "--events", "member.created,member.disabled")
	var m struct {
		ID string `json:"id"`
	}
	h.okJSON(&m, "", "member", "add", "--email", "ada@example.org", "--name", "Ada")
	h.ok("", "member", "update", "ada@example.org", "--name", "Ada L.") // member.updated: not wanted
	h.ok("", "member", "disable", "ada@example.org")
	var ds []jsonDelivery
	h.okJSON(&ds, "", "webhook", "deliveries", w.ID)
	if len(ds) != 2 || ds[0].EventType != "member.disabled" || ds[1].EventType != "member.created" ||
		ds[0].MemberID != m.ID || ds[0].Status != "pending" || ds[0].Attempts != 0 || ds[0].WebhookID != "msg_"+tenantOf(t, h)+"."+ds[0].ID {
		t.Fatalf("deliveries: %+v", ds)
	}
	text := h.ok("", "webhook", "deliveries", w.ID)
	if !strings.Contains(text, "member.disabled") || !strings.Contains(text, "LAST ATTEMPT") {
		t.Fatalf("deliveries text: %q", text)
	}
	var again jsonDelivery
	h.okJSON(&again, "", "webhook", "redeliver", w.ID, ds[1].ID)
	if again.ID == ds[1].ID || again.WebhookID != ds[1].WebhookID || again.EventType != "member.created" || again.Status != "pending" {
		t.Fatalf("redeliver: %+v, was %+v", again, ds[1])
	}
	var page []jsonDelivery
	h.okJSON(&page, "", "webhook", "deliveries", w.ID, "--limit", "1", "--before", again.ID)
	if len(page) != 1 || page[0].ID != ds[0].ID {
		t.Fatalf("second page: %+v", page)
	}
	h.fails(2, "no delivery", "", "webhook", "redeliver", w.ID, "999999")
	h.fails(2, "no delivery", "", "webhook", "redeliver", w.ID, "x'1")
	h.fails(2, "no webhook endpoint", "", "webhook", "deliveries", "nope")
	h.fails(2, "--limit", "", "webhook", "deliveries", w.ID, "--limit", "0")
	h.fails(2, "before", "", "webhook", "deliveries", w.ID, "--before", "-3")
	var other jsonWebhook
	h.okJSON(&other, "", "webhook", "add", "--url", "https://crm.example/in")
	h.fails(2, "no delivery", "", "webhook", "redeliver", other.ID, ds[0].ID) // another endpoint's delivery
	var after []jsonDelivery
	h.okJSON(&after, "", "webhook", "deliveries", w.ID)
	if len(after) != 3 {
		t.Fatalf("refused redeliveries queued something: %+v", after)
	}
	var enabled jsonWebhook
	h.okJSON(&enabled, "", "webhook", "enable", w.ID)
	if enabled.Disabled {
		t.Fatalf("enable: %+v", enabled)
	}
}

func tenantOf(t *testing.T, h *harness) string {
	t.Helper()
	var tn struct {
		ID string `json:"id"`
	}
	h.okJSON(&tn, "", "tenant", "show", "default")
	return tn.ID
}
