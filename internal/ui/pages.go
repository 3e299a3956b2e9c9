package ui

import (
	"html/template"
	"net/http"
	"time"

	"github.com/guildgate/guildgate/internal/branding"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/model"
)

// Page is what every page shows around its content, and the language it
// is written in. Templates print text through T (and TH, for the few
// messages that hold markup), never English of their own.
type Page struct {
	Site string          // the tenant's display name, shown in the header
	L    *i18n.Localizer // nil: English
	Brand
}

// Brand is the tenant's look: every field empty means Guildgate's own.
type Brand struct {
	LogoURL       string // our origin's copy of the re-encoded logo
	ThemeURL      string // the stylesheet with the tenant's colour
	SupportURL    string
	PrivacyURL    string
	SignInMessage string
}

// BrandOf is t's look as pages link it.
func BrandOf(t model.Tenant) Brand {
	b := Brand{SupportURL: t.SupportURL, PrivacyURL: t.PrivacyURL, SignInMessage: t.SignInMessage}
	if t.LogoHash != "" {
		b.LogoURL = branding.LogoPath + t.LogoHash
	}
	if t.PrimaryColor != "" {
		b.ThemeURL = branding.ThemePath + branding.ThemeName(t.PrimaryColor)
	}
	return b
}

// PageFor is the page frame of a request to tenant t: its name, and the
// language chosen by ui_locales (on the request, or on the request it
// will return to after sign-in), then Accept-Language, then the tenant's
// default.
func PageFor(r *http.Request, t model.Tenant) Page {
	return Page{Site: t.Name, L: i18n.For(Language(r, t.DefaultLanguage)), Brand: BrandOf(t)}
}

// PageForMember is the page frame of a signed-in member's request: their
// remembered language comes after the application's ui_locales and before
// their browser's Accept-Language (they chose it on their page).
func PageForMember(r *http.Request, t model.Tenant, remembered string) Page {
	p := PageFor(r, t)
	if uiLocales(r) == "" && i18n.Supported(remembered) {
		p.L = i18n.For(remembered)
	}
	return p
}

// Language is the language of a page answering r: ui_locales (OpenID
// Connect) wins over the browser's Accept-Language, which wins over
// fallback.
func Language(r *http.Request, fallback string) string {
	return i18n.Choose(uiLocales(r), r.Header.Get("Accept-Language"), fallback)
}

func (p Page) loc() *i18n.Localizer {
	if p.L == nil {
		return i18n.For(i18n.Default)
	}
	return p.L
}

// Lang is the BCP 47 tag of the page's language, for <html lang>.
func (p Page) Lang() string { return p.loc().Lang }

// T is the message key in the page's language.
func (p Page) T(key string, args ...any) string { return p.loc().T(key, args...) }

// Msg is m in the page's language.
func (p Page) Msg(m i18n.Message) string { return p.loc().Msg(m) }

// TH is a message that holds markup (its key ends in .html): the
// catalogue's text is trusted, every string argument is escaped. A key
// without the suffix is escaped whole, so markup never slips in by mistake.
func (p Page) TH(key string, args ...any) template.HTML {
	if !i18n.HTMLKey(key) {
		return template.HTML(template.HTMLEscapeString(p.T(key, args...)))
	}
	esc := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			a = template.HTMLEscapeString(v)
		case i18n.Message:
			a = template.HTMLEscapeString(p.Msg(v))
		}
		esc[i] = a
	}
	return template.HTML(p.T(key, esc...)) // #nosec G203 -- trusted catalogue text, escaped arguments
}

// Field is the problem errs records for a form field ("" for the form as
// a whole) in the page's language, or "" when there is none.
func (p Page) Field(errs map[string]i18n.Message, field string) string {
	m, ok := errs[field]
	if !ok {
		return ""
	}
	return p.Msg(m)
}

// Date and DateTime format t for the page's language.
func (p Page) Date(t time.Time) string     { return p.loc().Date(t) }
func (p Page) DateTime(t time.Time) string { return p.loc().DateTime(t) }

// LoginEmail is the first sign-in step.
type LoginEmail struct {
	Page
	CSRFToken string
	Email     string
	ReturnTo  string
	Error     i18n.Message
	// Buttons start sign-in with the tenant's connections that show one.
	Buttons []SSOButton
	// Passkey, if set, offers signing in with a passkey alone: a button
	// and the email field's autofill.
	Passkey *PasskeyForm
}

// PasskeyForm is a sign-in ceremony for the page's script (passkey.js):
// the WebAuthn request options (JSON) and the sealed state to post back.
type PasskeyForm struct {
	Options string
	State   string
}

// SSOButton is one "Sign in with …" link on the login page.
type SSOButton struct{ Name, URL string }

// SSORedirect hands the browser on to an organisation's identity provider.
// It is a page, not a redirect, because browsers apply the login form's
// CSP form-action to every redirect that follows its submission, and the
// provider's origin cannot be known before the email is typed.
type SSORedirect struct {
	Page
	Name string // the connection's display name
	URL  string // /auth/sso/start?…
}

// SSOError ends a failed upstream sign-in: what happened in plain words,
// nothing of the provider's own error text, and a way to try again.
type SSOError struct {
	Page
	Status    int
	Heading   i18n.Message
	Message   i18n.Message
	RetryURL  string
	RequestID string
}

// SSOSetup is the page a setup link opens for an organisation's IT
// contact: the URLs to register with their provider, then their
// provider's details. The client secret is never echoed back.
type SSOSetup struct {
	Page
	CSRFToken    string
	Connection   string   // the connection's display name
	Domains      string   // the email domains it will serve
	CallbackURLs []string // to register as redirect URIs
	SignedOutURL string   // to register as a post-logout redirect URI
	Form         SSOSetupForm
	Problems     []string // what was wrong with the last submission
	Findings     []SSOFinding
	Saved        bool
}

// SSOSetupForm is what the contact typed (the secret excepted).
type SSOSetupForm struct {
	DiscoveryURL, Issuer, AuthorizationURL, TokenURL, JWKSURL, UserinfoURL string
	ClientID, AuthMethod, Contact                                          string
}

// SSOFinding is one result of the connection test.
type SSOFinding struct {
	OK      bool
	Check   string
	Message string
}

// LoginPassword is the second sign-in step; ChangeEmailURL goes back to the
// first with the email pre-filled.
type LoginPassword struct {
	Page
	CSRFToken      string
	Email          string
	ReturnTo       string
	ChangeEmailURL string
	Error          i18n.Message
}

// SignedIn is shown on a plain visit to /login with a live session.
type SignedIn struct {
	Page
	CSRFToken string
	Name      string
	Email     string
}

// HiddenField carries a request parameter through a confirmation form.
type HiddenField struct{ Name, Value string }

// LogoutConfirm asks before ending the session; Hidden carries the logout
// request's parameters to the POST.
type LogoutConfirm struct {
	Page
	CSRFToken string
	Email     string
	Hidden    []HiddenField
}

// SignedOut confirms the session has ended.
type SignedOut struct {
	Page
}

// ErrorPage shows a failed request; RequestID ties it to the server log.
type ErrorPage struct {
	Page
	Status    int
	Heading   i18n.Message
	Message   i18n.Message
	RequestID string
}

// ErrorPages renders httpx errors as the site's error page (it satisfies
// httpx.ErrorPages). Tenant finds the tenant of the request, for its name
// and default language; it is injected because ui does not know how
// requests map to tenants.
type ErrorPages struct {
	UI     *UI
	Tenant func(r *http.Request) model.Tenant
}

// ErrorPage renders the error page in the request's language.
func (p ErrorPages) ErrorPage(w http.ResponseWriter, r *http.Request, status int, msg i18n.Message, requestID string) error {
	var t model.Tenant
	if p.Tenant != nil {
		t = p.Tenant(r)
	}
	return p.UI.Render(w, status, PageError, ErrorPage{
		Page: PageFor(r, t), Status: status, Heading: heading(status), Message: msg, RequestID: requestID,
	})
}

func heading(status int) i18n.Message {
	switch {
	case status == http.StatusForbidden:
		return i18n.M("error.heading.forbidden")
	case status == http.StatusNotFound:
		return i18n.M("error.heading.not_found")
	case status == http.StatusTooManyRequests:
		return i18n.M("error.heading.too_many")
	case status >= 500:
		return i18n.M("error.heading.server")
	default:
		return i18n.M("error.heading.default")
	}
}
