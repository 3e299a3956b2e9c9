package cli

import (
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
