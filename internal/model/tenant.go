package model

import "time"

// DefaultTenantSlug names the tenant that serves every host no other tenant claims.
const DefaultTenantSlug = "default"

// Tenant is one site: its own issuer, members, groups and (later) clients and keys.
type Tenant struct {
	ID     string
	Slug   string
	Name   string
	Issuer string // https URL, no trailing slash
	// Hosts are the lower-cased host names (no port) this tenant answers for,
	// beyond the host of its issuer.
	Hosts []string
	// AfterLogoutURL is where /log-out sends a member when no client redirect applies.
	AfterLogoutURL string
	// DefaultLanguage is the language of member-facing pages when neither
	// ui_locales nor the browser names one Guildgate speaks (i18n.Languages);
	// empty means English.
	DefaultLanguage string
	// Branding on member-facing pages (package branding checks each):
	// PrimaryColor "#rrggbb" or "" for the default, SupportURL and
	// PrivacyURL https or "", SignInMessage one short line or "".
	PrimaryColor  string
	SupportURL    string
	PrivacyURL    string
	SignInMessage string
	// LogoType and LogoHash describe the tenant's logo (its bytes are
	// kept apart, Tenants.GetLogo); both empty when there is none.
	LogoType  string
	LogoHash  string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Logo is a tenant's logo as served: re-encoded image bytes, their media
// type, and the hex SHA-256 that names them in URLs and cache validators.
type Logo struct {
	Type string
	Data []byte
	Hash string
}
