package ui

import "github.com/guildgate/guildgate/internal/i18n"

// The pages a one-time link opens (package account): creating the first
// administrator and choosing a new password. They are listed apart from
// pageNames so that each feature's pages and their test stay together.
const (
	PageAdminSetup    = "admin_setup"
	PagePasswordReset = "password_reset"
	PageForgot        = "forgot"
	PageInvite        = "invite"
	PageVerifyEmail   = "verify_email"
)

var accountPageNames = []string{PageAdminSetup, PagePasswordReset, PageForgot, PageInvite, PageHome, PageVerifyEmail}

// AdminSetup is the form that creates a site's first administrator. Action
// is the form's own URL (the link); Errors maps a field ("" for the form as
// a whole) to what is wrong with it.
type AdminSetup struct {
	Page
	CSRFToken string
	Action    string
	Email     string
	Name      string
	Errors    map[string]i18n.Message
}

// PasswordReset is the form behind a password-reset link, and, once Done,
// the confirmation that sends the member to sign in.
type PasswordReset struct {
	Page
	CSRFToken string
	Action    string
	Email     string // whose password is set, for the password manager
	Errors    map[string]i18n.Message
	Done      bool
	LoginURL  string
}

// Forgot asks for the address to mail a reset link to and, once Sent,
// says the same thing whatever the address. MailOff: the site sends no
// mail, so the page says whom to ask instead.
type Forgot struct {
	Page
	CSRFToken string
	Action    string
	Email     string
	Error     i18n.Message
	Sent      bool
	MailOff   bool
	LoginURL  string
}

// Invite is the form behind an invitation link: the invited member's
// first password.
type Invite struct {
	Page
	CSRFToken string
	Action    string
	Email     string
	Errors    map[string]i18n.Message
}

// VerifyEmail is the page a link proving an address opens: a button that
// confirms Email (the member's own, or the New one they asked for), since
// mail scanners open links and must not use them up; once Done, what
// changed. Error says why the address cannot be confirmed.
type VerifyEmail struct {
	Page
	CSRFToken  string
	Action     string
	Email      string
	New        bool
	Error      i18n.Message
	Done       bool
	AccountURL string
}
