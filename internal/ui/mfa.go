package ui

import (
	"html/template"
	"time"

	"github.com/guildgate/guildgate/internal/i18n"
)

// The second-factor pages: the code step of signing in (package login)
// and the member's security page with its set-up forms (package
// securitypages). Listed apart from pageNames like the account pages.
const (
	PageLoginCode       = "login_code"
	PageSecurity        = "security"
	PageSecurityTOTP    = "security_totp"
	PageSecurityCodes   = "security_codes"
	PageSecurityConfirm = "security_confirm"
	PageSecurityPasskey = "security_passkey"
)

var mfaPageNames = []string{PageLoginCode, PageSecurity, PageSecurityTOTP, PageSecurityCodes, PageSecurityConfirm,
	PageSecurityPasskey}

// LoginCode asks for the second factor after the password (or for a
// session that needs one now). Action is where the form posts.
type LoginCode struct {
	Page
	CSRFToken string
	Action    string
	ReturnTo  string
	Email     string
	Error     i18n.Message
	CancelURL string
	// ShowCode offers the code form (an authenticator or recovery codes);
	// Passkey the member's passkeys, posted to PasskeyAction.
	ShowCode      bool
	Passkey       *PasskeyForm
	PasskeyAction string
	Need          string // mfa.NeedPasskey when only a passkey will do
}

// Security is the member's sign-in methods page.
type Security struct {
	Page
	CSRFToken    string
	Email        string
	TOTP         bool
	TOTPSince    time.Time
	RecoveryLeft int
	// MayChange is false when this session did not use the second factor:
	// removing or renewing needs a session that proved it.
	MayChange   bool
	StepUpURL   string
	Notice      i18n.Message
	ContinueURL string // where to go on, after an enrolment the sign-in asked for
	Passkeys    []PasskeyRow
	// MayAdd: a passkey may be added by a session that proved the second
	// factor, or by any session of a member who has none yet.
	MayAdd bool
	// Rename is a refused rename, shown again on its passkey's row.
	Rename RenameForm
}

// RenameForm is the name a member typed for passkey ID and why it was
// refused.
type RenameForm struct {
	ID    string
	Name  string
	Error i18n.Message
}

// PasskeyRow is one of the member's passkeys.
type PasskeyRow struct {
	ID         string
	Name       string
	CreatedAt  time.Time
	LastUsedAt time.Time // zero: never used
}

// SecurityPasskey is the form that registers a passkey: the page's script
// (passkey.js) runs the ceremony with Options and posts the response with
// State.
type SecurityPasskey struct {
	Page
	CSRFToken string
	Options   string // WebAuthn creation options, JSON
	State     string
	Name      string
	ReturnTo  string
	Error     i18n.Message
}

// SecurityTOTP is the authenticator set-up form: the QR code (an inline
// SVG drawn on the server) and the secret as text.
type SecurityTOTP struct {
	Page
	CSRFToken string
	QR        template.HTML
	Secret    string // grouped by four for reading aloud and typing
	Pending   string
	ReturnTo  string
	Error     i18n.Message
	Required  bool // the sign-in asked for a second factor before going on
}

// SecurityCodes shows recovery codes, once.
type SecurityCodes struct {
	Page
	Codes       []string
	ContinueURL string
}

// SecurityConfirm asks before removing a second factor: the
// authenticator app, or Passkey when it is set.
type SecurityConfirm struct {
	Page
	CSRFToken string
	Passkey   *PasskeyRow
}
