package e2e

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/testenv"
)

var (
	secretField  = regexp.MustCompile(`id="webhook-secret" readonly value="(whsec_[^"]+)"`)
	endpointLink = regexp.MustCompile(`href="/admin/webhooks/([0-9a-f-]{36})"`)
	resendForm   = regexp.MustCompile(`action="(/admin/webhooks/[0-9a-f-]{36}/deliveries/([0-9]+)/redeliver)"`)
)

// TestConsoleWebhooks: an administrator adds an endpoint in the console and
// sees its signing secret on that answer only; a member disabled in the
// console is queued for it and listed among its deliveries with its event
// type and status; "Send again" queues the delivery once more; a bad URL
// comes back with the problem next to the field and stores nothing.
func TestConsoleWebhooks(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	addMember(t, s, "admin@example.org", "--admin")
	ada := addMember(t, s, "ada@example.org")
	b := newBrowser(t, s)
	b.signIn("admin@example.org")

	bad := b.postPage("/admin/webhooks", "/admin/webhooks", url.Values{"url": {"http://lms.example/hooks"}})
	if bad.status != http.StatusBadRequest || !strings.Contains(bad.body, `aria-describedby="webhook-url-problems"`) ||
		!strings.Contains(bad.body, "must be an absolute https URL") {
		t.Fatalf("bad URL: %d\n%s", bad.status, bad.body)
	}
	added := b.postPage("/admin/webhooks", "/admin/webhooks", url.Values{"url": {"https://lms.example/hooks"},
		"events": {"member.disabled", "member.deleted"}})
	secret := secretField.FindStringSubmatch(added.body)
	id := endpointLink.FindStringSubmatch(added.body)
	if added.status != http.StatusOK || secret == nil || id == nil {
		t.Fatalf("add: %d\n%s", added.status, added.body)
	}
	if list := b.get("/admin/webhooks"); strings.Contains(list.body, secret[1]) || !strings.Contains(list.body, "https://lms.example/hooks") {
		t.Fatalf("the list shows the secret, or not the endpoint:\n%s", list.body)
	}

	wantSeeOther(t, b.postPage("/admin/members/"+ada, "/admin/members/"+ada+"/disable", url.Values{}), "/admin/members")
	endpoint := b.get("/admin/webhooks/" + id[1])
	resend := resendForm.FindStringSubmatch(endpoint.body)
	if endpoint.status != http.StatusOK || resend == nil || !strings.Contains(endpoint.body, "member.disabled") ||
		!strings.Contains(endpoint.body, ada) {
		t.Fatalf("endpoint page: %d\n%s", endpoint.status, endpoint.body)
	}
	again := b.postPage("/admin/webhooks/"+id[1], resend[1], url.Values{})
	wantSeeOther(t, again, "/admin/webhooks/"+id[1])
	after := b.get(strings.TrimPrefix(again.location, s.URL))
	if n := len(resendForm.FindAllString(after.body, -1)); n != 2 || !strings.Contains(after.body, "same webhook-id") {
		t.Fatalf("after sending again: %d deliveries\n%s", n, after.body)
	}
	if p := b.get("/admin/webhooks/" + id[1] + "/deliveries/999/redeliver"); p.status != http.StatusNotFound && p.status != http.StatusMethodNotAllowed {
		t.Fatalf("GET of a form target: %d", p.status)
	}
	if p := b.postPage("/admin/webhooks/"+id[1], "/admin/webhooks/"+id[1]+"/deliveries/999999/redeliver", url.Values{}); p.status != http.StatusNotFound {
		t.Fatalf("an unknown delivery: %d", p.status)
	}
}
