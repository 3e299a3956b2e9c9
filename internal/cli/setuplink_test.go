package cli

import (
	"strings"
	"testing"
	"time"
)

// TestSetupLink: `guildgate setup-link` prints a fresh first-administrator
// link valid for an hour, and refuses once the site has an administrator.
func TestSetupLink(t *testing.T) {
	h := newHarness(t)
	var link struct {
		URL       string    `json:"url"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	h.okJSON(&link, "", "setup-link")
	if !strings.HasPrefix(link.URL, "https://localhost:8443/admin/setup/") ||
		time.Until(link.ExpiresAt) < 59*time.Minute || time.Until(link.ExpiresAt) > time.Hour {
		t.Fatalf("link %+v", link)
	}
	text := h.ok("", "setup-link")
	if !strings.Contains(text, "Create the first administrator in your browser") || strings.Contains(text, link.URL+"\n") {
		t.Fatalf("a second link: %q (it must be new)", text)
	}
	h.addMember("ada@example.org", "Ada", "--admin")
	h.fails(2, "the site already has an administrator", "", "setup-link")
	h.fails(2, `no tenant with slug "nope"`, "", "setup-link", "--tenant", "nope")
}
