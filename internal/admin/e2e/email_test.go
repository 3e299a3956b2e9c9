package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/guildgate/guildgate/internal/testenv"
)

// memberShown is what `guildgate member show --json` says of an address.
func memberShown(t *testing.T, s *testenv.Server, email string) (shown struct {
	Email         string `json:"email"`
	EmailVerified bool   `json:"email_verified"`
}) {
	t.Helper()
	if err := json.Unmarshal([]byte(s.MustCLI(t, "", "member", "show", email, "--json")), &shown); err != nil {
		t.Fatal(err)
	}
	return shown
}

// TestEmailVerificationAndChange is the flow on both databases,
// with a real relay: a member confirms their address from their page;
// then asks for a new one, which needs the current password, mails a link
// to the new address and a notice to the old one, and changes nothing
// until the link's button is pressed (opening the link is not enough:
// mail scanners open links). Then the ID token, read by go-oidc, carries
// the new address as verified, and the link works no more.
func TestEmailVerificationAndChange(t *testing.T) {
	for _, backend := range []testenv.Backend{testenv.SQLite, testenv.Postgres} {
		t.Run(string(backend), func(t *testing.T) {
			s, mp := withMail(t, backend)
			addMember(t, s, "ada@example.org")
			b := newBrowser(t, s)
			b.signIn("ada@example.org")
			home := b.get("/account/")
			if !strings.Contains(home.body, "(not confirmed yet)") || !strings.Contains(home.body, `action="/account/email"`) {
				t.Fatalf("member page:\n%s", home.body)
			}
			wantSeeOther(t, b.post("/account/email/verify", url.Values{"csrf_token": {home.token}}), "/account/?done=verify")
			path := linkIn(t, s, mp.WaitFor(t, "ada@example.org", 1, mailDelivery)[0])
			if !strings.HasPrefix(path, "/account/verify/") {
				t.Fatalf("link %s", path)
			}
			confirm(t, newBrowser(t, s), path, "ada@example.org")
			if !memberShown(t, s, "ada@example.org").EmailVerified || !strings.Contains(b.get("/account/").body, "(confirmed)") {
				t.Fatal("the address is not verified after its link")
			}

			wrong := url.Values{"csrf_token": {home.token}, "new_email": {"ada@new.example"}, "current_password": {"wrong password!"}}
			if p := b.post("/account/email", wrong); p.status != http.StatusUnprocessableEntity ||
				!strings.Contains(p.body, `aria-describedby="email_password-problem"`) || !strings.Contains(p.body, `value="ada@new.example"`) {
				t.Fatalf("a wrong password: %d\n%s", p.status, p.body)
			}
			good := url.Values{"csrf_token": {home.token}, "new_email": {"ada@new.example"}, "current_password": {password}}
			wantSeeOther(t, b.post("/account/email", good), "/account/?done=email")
			link := mp.WaitFor(t, "ada@new.example", 1, mailDelivery)[0]
			notices := mp.WaitFor(t, "ada@example.org", 2, mailDelivery)
			if !strings.HasPrefix(notices[0].Subject, "A new address was asked for") ||
				!strings.Contains(notices[0].Text, "to ada@new.example") {
				t.Fatalf("notice to the old address %+v", notices[0])
			}
			path = linkIn(t, s, link)
			other := newBrowser(t, s)
			if p := other.get(path); p.status != http.StatusOK || !strings.Contains(p.body, "as the new address") {
				t.Fatalf("link page: %d\n%s", p.status, p.body)
			}
			if shown := memberShown(t, s, "ada@example.org"); shown.Email != "ada@example.org" {
				t.Fatalf("the address changed before the link was confirmed: %+v", shown)
			}
			confirm(t, other, path, "ada@new.example")
			if shown := memberShown(t, s, "ada@new.example"); !shown.EmailVerified {
				t.Fatalf("after the change: %+v", shown)
			}
			newPartnerApp(t, s).wantVerifiedEmail("ada@new.example")
			if p := other.get(path); p.status != http.StatusNotFound || !strings.Contains(p.body, "already been used") {
				t.Fatalf("the used link: %d\n%s", p.status, p.body)
			}
			wantAudit(t, s, "member.email.", "member.email.change_link.use", "member.email.change_link.create",
				"member.email.verify_link.use", "member.email.verify_link.create")
		})
	}
}

// confirm presses the button of the address link at path.
func confirm(t *testing.T, b *browser, path, email string) {
	t.Helper()
	form := b.get(path)
	if form.status != http.StatusOK || form.token == "" {
		t.Fatalf("link page: %d\n%s", form.status, form.body)
	}
	p := b.post(path, url.Values{"csrf_token": {form.token}})
	if p.status != http.StatusOK || !strings.Contains(p.body, "<strong>"+email+"</strong> is now the confirmed address") {
		t.Fatalf("confirming %s: %d\n%s", email, p.status, p.body)
	}
}

// TestEmailChangeNeedsMail: without a relay the page offers no address
// form and says whom to ask; the forms refuse.
func TestEmailChangeNeedsMail(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	addMember(t, s, "ada@example.org")
	b := newBrowser(t, s)
	b.signIn("ada@example.org")
	home := b.get("/account/")
	if strings.Contains(home.body, `action="/account/email"`) || !strings.Contains(home.body, "ask your administrator") {
		t.Fatalf("member page without mail:\n%s", home.body)
	}
	p := b.post("/account/email", url.Values{"csrf_token": {home.token}, "new_email": {"ada@new.example"}, "current_password": {password}})
	if p.status != http.StatusBadRequest {
		t.Fatalf("an address change without mail: %d", p.status)
	}
	if shown := memberShown(t, s, "ada@example.org"); shown.Email != "ada@example.org" {
		t.Fatalf("%+v", shown)
	}
}

// TestEmailChangeInChromium: the address section and the link's page on a
// phone-sized screen; the screenshots are CI artefacts.
func TestEmailChangeInChromium(t *testing.T) {
	s, mp := withMail(t, testenv.SQLite)
	addMember(t, s, "ada@example.org")
	b := openTab(t, s.URL)
	b.do("phone screen", chromedp.EmulateViewport(360, 740))
	b.do("open /account/", chromedp.Navigate(s.URL+"/account/"), chromedp.WaitVisible(chromedp.CSS("#email")))
	b.fill("#email", "ada@example.org")
	b.click(`form button[type="submit"]`, "#password")
	b.fill("#password", password)
	b.click(`form button[type="submit"]`, "#new_email")
	b.do("scroll to the address", chromedp.ScrollIntoView(chromedp.CSS("#email-heading")))
	b.screenshot("account-email.png")
	b.fill("#new_email", "ada@new.example")
	b.fill("#email_password", password)
	b.click(`form[action="/account/email"] button`, `[role="status"]`)
	b.screenshot("account-email-sent.png")
	path := linkIn(t, s, mp.WaitFor(t, "ada@new.example", 1, mailDelivery)[0])
	b.do("open the mailed link", chromedp.Navigate(s.URL+path), chromedp.WaitVisible(chromedp.CSS(`form button[type="submit"]`)))
	b.screenshot("verify-email.png")
	b.click(`form button[type="submit"]`, `a.button[href="/account/"]`)
	b.screenshot("verify-email-done.png")
	if txt := b.text("main"); !strings.Contains(txt, "ada@new.example is now the confirmed address") {
		t.Fatalf("after confirming: %s", txt)
	}
}

// TestConsoleSendsVerification: an administrator mails a member with an
// unconfirmed address the link that confirms it (the button shows only
// then); the member's link sets email_verified; a fourth link in a row
// waits.
func TestConsoleSendsVerification(t *testing.T) {
	s, mp := withMail(t, testenv.SQLite)
	addMember(t, s, "admin@example.org", "--admin", "--email-verified")
	id := addMember(t, s, "ada@example.org")
	admin := newBrowser(t, s)
	admin.signIn("admin@example.org")
	if p := admin.get("/admin/members/" + id); !strings.Contains(p.body, `id="send-verification"`) {
		t.Fatalf("member page:\n%s", p.body)
	}
	send := func() page {
		return admin.postPage("/admin/members/"+id, "/admin/members/"+id+"/send-verification", url.Values{})
	}
	wantSeeOther(t, send(), "/admin/members/"+id+"?done=verification-sent")
	path := linkIn(t, s, mp.WaitFor(t, "ada@example.org", 1, mailDelivery)[0])
	send()
	send()
	wantSeeOther(t, send(), "/admin/members/"+id+"?done=verification-too-soon")
	if n := len(mp.WaitFor(t, "ada@example.org", 3, mailDelivery)); n != 3 {
		t.Fatalf("%d links mailed, want 3", n)
	}
	if p := newBrowser(t, s).get(path); p.status != http.StatusNotFound {
		t.Fatalf("a replaced link: %d", p.status)
	}
	path = linkIn(t, s, mp.WaitFor(t, "ada@example.org", 3, mailDelivery)[0])
	confirm(t, newBrowser(t, s), path, "ada@example.org")
	if !memberShown(t, s, "ada@example.org").EmailVerified || strings.Contains(admin.get("/admin/members/"+id).body, `id="send-verification"`) {
		t.Fatal("verified member still offered a link")
	}
}
