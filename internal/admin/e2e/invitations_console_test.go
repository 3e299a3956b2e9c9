package e2e

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/guildgate/guildgate/internal/testenv"
)

var invitationLinkField = regexp.MustCompile(`id="invitation-link"[^>]*value="([^"]+)"`)

// invitationShown is the link an invitation page shows, as a path on s.
func invitationShown(t *testing.T, s *testenv.Server, p page) string {
	t.Helper()
	m := invitationLinkField.FindStringSubmatch(p.body)
	if p.status != http.StatusOK || m == nil {
		t.Fatalf("invitation link page: %d\n%s", p.status, p.body)
	}
	link := html.UnescapeString(m[1])
	if !strings.HasPrefix(link, s.URL+"/account/invite/") {
		t.Fatalf("link %q", link)
	}
	return strings.TrimPrefix(link, s.URL)
}

// TestConsoleInvitationsWithoutMail: the console invites into a group and,
// with no relay, shows the link once; the pending list offers sending it
// again (a new link replaces the old) and withdrawing it; bad input comes
// back next to its field; every form needs its CSRF token; the header
// links to the administrator's own page.
func TestConsoleInvitationsWithoutMail(t *testing.T) {
	s, admin := adminBrowser(t)
	s.MustCLI(t, "", "group", "add", "volunteers")
	list := admin.get("/admin/invitations")
	if list.status != http.StatusOK || !strings.Contains(list.body, "you are shown each link") ||
		!strings.Contains(list.body, `href="/account/"`) || !strings.Contains(admin.get("/admin/members").body, `href="/admin/invitations"`) {
		t.Fatalf("invitations page: %d\n%s", list.status, list.body)
	}
	form := url.Values{"email": {"bob@example.org"}, "name": {"Bob"}, "groups": {"volunteers"}}
	if p := admin.post("/admin/invitations", form); p.status != http.StatusForbidden {
		t.Fatalf("inviting without a form token: %d", p.status)
	}
	bad := admin.postPage("/admin/invitations", "/admin/invitations", url.Values{"email": {"bob@"}, "name": {"Bob"}})
	if bad.status != http.StatusBadRequest || !strings.Contains(bad.body, `aria-describedby="invite-email-problems"`) ||
		!strings.Contains(bad.body, `value="Bob"`) {
		t.Fatalf("a bad address: %d\n%s", bad.status, bad.body)
	}
	first := invitationShown(t, s, admin.postPage("/admin/invitations", "/admin/invitations", form))
	if out := s.MustCLI(t, "", "member", "show", "bob@example.org"); !strings.Contains(out, "volunteers") {
		t.Fatalf("the invited member: %s", out)
	}
	list = admin.get("/admin/invitations")
	if !strings.Contains(list.body, "bob@example.org") || !strings.Contains(list.body, "Send again") {
		t.Fatalf("pending list:\n%s", list.body)
	}
	id := regexp.MustCompile(`/admin/invitations/([^/]+)/resend`).FindStringSubmatch(list.body)[1]
	second := invitationShown(t, s, admin.postPage("/admin/invitations", "/admin/invitations/"+id+"/resend", url.Values{}))
	b := newBrowser(t, s)
	if second == first || b.get(first).status != http.StatusNotFound || b.get(second).status != http.StatusOK {
		t.Fatal("sending again did not replace the link")
	}
	wantSeeOther(t, admin.postPage("/admin/invitations", "/admin/invitations/"+id+"/revoke", url.Values{}),
		"/admin/invitations?done=invitation-revoked")
	if b.get(second).status != http.StatusNotFound || strings.Contains(admin.get("/admin/invitations").body, "bob@example.org") {
		t.Fatal("the withdrawn invitation lives on")
	}
	wantAudit(t, s, "member.invitation.", "member.invitation.revoke", "member.invitation.create", "member.invitation.create")
}

// TestConsoleInvitationInChromium: with a relay, the console's invitation
// is mailed (its link never shown to the administrator) and the pending
// list says so; the pages on a phone-sized screen are CI artefacts, and
// the invited person's link page too.
func TestConsoleInvitationInChromium(t *testing.T) {
	s, mp := withMail(t, testenv.SQLite)
	addMember(t, s, "admin@example.org", "--admin")
	b := openTab(t, s.URL)
	b.do("phone screen", chromedp.EmulateViewport(360, 740))
	b.do("open the invitations", chromedp.Navigate(s.URL+"/admin/invitations"), chromedp.WaitVisible(chromedp.CSS("#email")))
	b.fill("#email", "admin@example.org")
	b.click(`form button[type="submit"]`, "#password")
	b.fill("#password", password)
	b.click(`form button[type="submit"]`, "#invite-email")
	b.screenshot("console-invitations.png")
	b.fill("#invite-email", "cy@example.org")
	b.fill("#invite-name", "Cy Young")
	b.click("#invite", `[role="status"]`)
	if txt := b.text("main"); !strings.Contains(txt, "Invitation sent") || !strings.Contains(txt, "cy@example.org") ||
		strings.Contains(txt, "/account/invite/") {
		t.Fatalf("after inviting: %s", txt)
	}
	b.screenshot("console-invitation-sent.png")
	path := linkIn(t, s, mp.WaitFor(t, "cy@example.org", 1, mailDelivery)[0])
	b.do("open the invitation as the invited person", chromedp.Navigate(s.URL+path), chromedp.WaitVisible(chromedp.CSS("#password2")))
	b.screenshot("invitation.png")
}
