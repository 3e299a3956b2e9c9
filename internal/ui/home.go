package ui

import (
	"time"

	"github.com/guildgate/guildgate/internal/i18n"
)

// PageHome is the member's own page (/account/).
const PageHome = "home"

// Home is the member's own page: sections for the profile, the address, the password,
// the browsers signed in, the apps used, and a link to sign-in security
// (second factors, package accountsecurity). Done names what the last
// form did, for the status line.
type Home struct {
	Page
	CSRFToken     string
	Email         string
	EmailVerified bool
	Done          string
	// MailOn: the site sends mail, so the member can confirm or change
	// their address themselves; otherwise the page says whom to ask.
	MailOn bool
	// NewEmail is the new address as typed; EmailErrors map the address
	// form's fields (new_email, email_password, "") to their problems.
	NewEmail       string
	EmailErrors    map[string]i18n.Message
	Profile        Profile
	ProfileErrors  map[string]i18n.Message
	HasPassword    bool
	PasswordErrors map[string]i18n.Message
	// Language is the member's remembered language ("" for none: their
	// browser's), offered among Languages.
	Language    string
	Languages   []LanguageOption
	Sessions    []DeviceSession
	Apps        []App
	SecurityURL string
}

// Profile is the member's name fields as shown or as typed.
type Profile struct{ Name, GivenName, FamilyName string }

// DeviceSession is one browser signed in; Current is the one looking.
// Browser and OS are what it said it was at sign-in ("" when unknown).
type DeviceSession struct {
	ID              string
	Since, LastSeen time.Time
	Current         bool
	Browser, OS     string
}

// App is one app the member gave access to.
type App struct {
	GrantID string
	Name    string
	Since   time.Time
}

// LanguageOption is a language a member may choose, named in itself.
type LanguageOption struct{ Code, Name string }

// LanguageOptions lists every language Guildgate speaks, each in its own
// words (a French speaker looks for "Français", whatever the page's
// language).
func LanguageOptions() []LanguageOption {
	out := make([]LanguageOption, len(i18n.Languages))
	for i, code := range i18n.Languages {
		out[i] = LanguageOption{Code: code, Name: i18n.Name(code)}
	}
	return out
}
