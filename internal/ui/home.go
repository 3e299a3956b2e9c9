package ui

import (
	"time"

	"github.com/guildgate/guildgate/internal/i18n"
)

// PageHome is the member's own page (/account/).
const PageHome = "home"

// Home is the member's own page: sections for the profile, the password,
// the browsers signed in, the apps used, and a link to sign-in security
// (second factors, package accountsecurity). Done names what the last
// form did, for the status line.
type Home struct {
	Page
	CSRFToken      string
	Email          string
	Done           string
	Profile        Profile
	ProfileErrors  map[string]i18n.Message
	HasPassword    bool
	PasswordErrors map[string]i18n.Message
	Sessions       []DeviceSession
	Apps           []App
	SecurityURL    string
}

// Profile is the member's name fields as shown or as typed.
type Profile struct{ Name, GivenName, FamilyName string }

// DeviceSession is one browser signed in; Current is the one looking.
type DeviceSession struct {
	ID              string
	Since, LastSeen time.Time
	Current         bool
}

// App is one app the member gave access to.
type App struct {
	GrantID string
	Name    string
	Since   time.Time
}
