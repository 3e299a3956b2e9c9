package ui

import "net/http"

// Page is what every page shows around its content.
type Page struct {
	Site string // the tenant's display name, shown in the header
}

// LoginEmail is the first sign-in step.
type LoginEmail struct {
	Page
	CSRFToken string
	Email     string
	ReturnTo  string
	Error     string
	// Buttons start sign-in with the tenant's connections that show one.
	Buttons []SSOButton
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
	Heading   string
	Message   string
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
	Error          string
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
	Heading   string
	Message   string
	RequestID string
}

// ErrorPages renders httpx errors as the site's error page (it satisfies
// httpx.ErrorPages). Site names the tenant of the request; it is injected
// because ui does not know how requests map to tenants.
type ErrorPages struct {
	UI   *UI
	Site func(r *http.Request) string
}

// ErrorPage renders the error page.
func (p ErrorPages) ErrorPage(w http.ResponseWriter, r *http.Request, status int, message, requestID string) error {
	var site string
	if p.Site != nil {
		site = p.Site(r)
	}
	return p.UI.Render(w, status, PageError, ErrorPage{
		Page: Page{Site: site}, Status: status, Heading: heading(status), Message: message, RequestID: requestID,
	})
}

func heading(status int) string {
	switch {
	case status == http.StatusForbidden:
		return "Request refused"
	case status == http.StatusTooManyRequests:
		return "Please wait"
	case status >= 500:
		return "Something went wrong"
	default:
		return "This request could not be completed"
	}
}
