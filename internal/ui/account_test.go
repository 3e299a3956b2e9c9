package ui

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/i18n"
)

var sampleTime = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

var accountSamples = map[string][]any{
	PageAdminSetup: {
		AdminSetup{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Action: "/admin/setup/abc"},
		AdminSetup{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Action: "/admin/setup/abc", Email: "ann@example.org",
			Name: "Ann", Errors: map[string]i18n.Message{"": i18n.Raw("Taken."), "email": i18n.Raw("Bad."), "password": i18n.Raw("Short."), "password2": i18n.Raw("Differs.")}},
	},
	PagePasswordReset: {
		PasswordReset{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Action: "/account/reset/abc", Email: "ann@example.org",
			Errors: map[string]i18n.Message{"password2": i18n.Raw("Differs.")}},
		PasswordReset{Page: Page{Site: "Guild of Bakers"}, Done: true, LoginURL: "/login?login_hint=ann%40example.org"},
	},
	PageForgot: {
		Forgot{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Action: "/account/forgot", Email: "ann@example.org"},
		Forgot{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Action: "/account/forgot", Email: "x", Error: i18n.M("login.error.enter_email")},
		Forgot{Page: Page{Site: "Guild of Bakers"}, Sent: true, Email: "ann@example.org", LoginURL: "/login?login_hint=ann%40example.org"},
		Forgot{Page: Page{Site: "Guild of Bakers"}, MailOff: true},
	},
	PageHome: {
		Home{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Email: "ann@example.org", HasPassword: true, Done: "password",
			Profile: Profile{Name: "Ann"}, SecurityURL: "/account/security",
			Sessions: []DeviceSession{{ID: "s1", Current: true, Since: sampleTime, LastSeen: sampleTime, Browser: "Firefox", OS: "Linux"},
				{ID: "s2", Since: sampleTime, LastSeen: sampleTime, OS: "Android"}},
			Apps:     []App{{GrantID: "g1", Name: "Learning platform", Since: sampleTime}},
			Language: "fr", Languages: LanguageOptions()},
		Home{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Email: "ann@example.org", HasPassword: true,
			ProfileErrors:  map[string]i18n.Message{"name": i18n.M("form.required", i18n.M("admin_setup.name"))},
			PasswordErrors: map[string]i18n.Message{"current_password": i18n.M("home.password.wrong")}},
		Home{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Email: "ann@example.org", HasPassword: true, MailOn: true,
			NewEmail: "ann@new", EmailErrors: map[string]i18n.Message{"new_email": i18n.M("form.email_invalid"),
				"email_password": i18n.M("home.password.wrong"), "": i18n.M("home.email.too_soon")}},
	},
	PageVerifyEmail: {
		VerifyEmail{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Action: "/account/verify/abc", Email: "ann@example.org",
			AccountURL: "/account/"},
		VerifyEmail{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Action: "/account/verify/abc", Email: "ann@new.example",
			New: true, Error: i18n.M("verify.taken"), AccountURL: "/account/"},
		VerifyEmail{Page: Page{Site: "Guild of Bakers"}, Done: true, Email: "ann@new.example", AccountURL: "/account/"},
	},
	PageInvite: {
		Invite{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Action: "/account/invite/abc", Email: "ann@example.org"},
		Invite{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Action: "/account/invite/abc", Email: "ann@example.org",
			Errors: map[string]i18n.Message{"password2": i18n.M("form.password_mismatch")}},
	},
}

// TestAccountPagesRender holds the link pages to the rules every page
// follows (see TestEveryPageRenders and TestPagesHaveNoInlineCodeAndLabelledInputs),
// and checks that each problem sits next to its field.
func TestAccountPagesRender(t *testing.T) {
	inline := regexp.MustCompile(`(?i)<script|<style|\sstyle=|\son[a-z]+=|javascript:|https?://`)
	described := regexp.MustCompile(`aria-describedby="([a-z0-9]+)-problem"`)
	u := newUI(t)
	for _, name := range accountPageNames {
		for _, data := range accountSamples[name] {
			w, body := render(t, u, name, data)
			if !strings.Contains(body, "Guild of Bakers") || w.Header().Get("Cache-Control") != "no-store" ||
				!strings.Contains(body, u.StaticURL("gg.css")) {
				t.Errorf("%s: layout or headers missing", name)
			}
			if m := inline.FindString(body); m != "" {
				t.Errorf("%s contains %q", name, m)
			}
			for _, m := range regexp.MustCompile(`<input id="([a-z0-9_]+)"`).FindAllStringSubmatch(body, -1) {
				if !strings.Contains(body, `<label for="`+m[1]+`"`) {
					t.Errorf("%s: input %s has no label", name, m[1])
				}
			}
			for _, m := range described.FindAllStringSubmatch(body, -1) {
				if !strings.Contains(body, `id="`+m[1]+`-problem"`) {
					t.Errorf("%s: %s describes itself by a missing problem", name, m[1])
				}
			}
		}
	}
	_, body := render(t, u, PageAdminSetup, accountSamples[PageAdminSetup][1])
	if strings.Count(body, `aria-invalid="true"`) != 3 || !strings.Contains(body, `autocomplete="new-password"`) ||
		!strings.Contains(body, "Taken.") {
		t.Errorf("refused setup form:\n%s", body)
	}
	_, body = render(t, u, PageHome, accountSamples[PageHome][2])
	if strings.Count(body, `aria-invalid="true"`) != 2 || !strings.Contains(body, "(not confirmed yet)") ||
		!strings.Contains(body, `action="/account/email/verify"`) || !strings.Contains(body, `value="ann@new"`) {
		t.Errorf("refused address form:\n%s", body)
	}
	_, body = render(t, u, PageVerifyEmail, accountSamples[PageVerifyEmail][1])
	if strings.Contains(body, "<form") || !strings.Contains(body, "Another account uses this address") {
		t.Errorf("a taken address:\n%s", body)
	}
	_, body = render(t, u, PagePasswordReset, accountSamples[PagePasswordReset][1])
	if strings.Contains(body, "<form") || !strings.Contains(body, `href="/login?login_hint=ann%40example.org"`) {
		t.Errorf("reset confirmation:\n%s", body)
	}
}

func TestAccountPagesEscape(t *testing.T) {
	_, body := render(t, newUI(t), PageAdminSetup, AdminSetup{Email: `"><script>x</script>`, Name: "<b>",
		Errors: map[string]i18n.Message{"": i18n.Raw("<i>")}})
	if strings.Contains(body, "<script>") || strings.Contains(body, "<b>") || strings.Contains(body, "<i>") {
		t.Fatal("input not escaped")
	}
}
