package views

import (
	"time"

	"github.com/guildgate/guildgate/internal/branding"
	"github.com/guildgate/guildgate/internal/model"
)

// Branding is a tenant's look on member-facing pages and mail: what the
// admin API's /branding shows and takes. An empty string is Guildgate's
// own default; logo is null when the tenant has none.
type Branding struct {
	DisplayName   string        `json:"display_name"`
	PrimaryColor  string        `json:"primary_color"`
	SupportURL    string        `json:"support_url"`
	PrivacyURL    string        `json:"privacy_url"`
	SignInMessage string        `json:"sign_in_message"`
	Logo          *BrandingLogo `json:"logo"`
	UpdatedAt     time.Time     `json:"updated_at"`
}

// BrandingLogo is the re-encoded logo as served: its media type, the
// SHA-256 that names it, and its URL on the tenant's issuer.
type BrandingLogo struct {
	Type   string `json:"type"`
	SHA256 string `json:"sha256"`
	URL    string `json:"url"`
}

// BrandingOf is the view of t's branding.
func BrandingOf(t model.Tenant) Branding {
	b := Branding{DisplayName: t.Name, PrimaryColor: t.PrimaryColor, SupportURL: t.SupportURL, PrivacyURL: t.PrivacyURL,
		SignInMessage: t.SignInMessage, UpdatedAt: t.UpdatedAt}
	if t.LogoHash != "" {
		b.Logo = &BrandingLogo{Type: t.LogoType, SHA256: t.LogoHash, URL: branding.LogoURL(t.Issuer, t.LogoHash)}
	}
	return b
}
