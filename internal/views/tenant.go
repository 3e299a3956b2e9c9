package views

import (
	"cmp"
	"time"

	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/model"
)

// Tenant is a site: one association, its issuer and its hosts.
type Tenant struct {
	ID             string   `json:"id"`
	Slug           string   `json:"slug"`
	Name           string   `json:"name"`
	Issuer         string   `json:"issuer"`
	Hosts          []string `json:"hosts"`
	AfterLogoutURL string   `json:"after_logout_url"`
	// DefaultLanguage is the language in effect: English when none is set.
	DefaultLanguage string `json:"default_language"`
	// Branding: "" where the tenant keeps Guildgate's own look.
	PrimaryColor  string    `json:"primary_color"`
	SupportURL    string    `json:"support_url"`
	PrivacyURL    string    `json:"privacy_url"`
	SignInMessage string    `json:"sign_in_message"`
	LogoType      string    `json:"logo_type"`
	LogoSHA256    string    `json:"logo_sha256"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// TenantOf is the view of t.
func TenantOf(t model.Tenant) Tenant {
	return Tenant{ID: t.ID, Slug: t.Slug, Name: t.Name, Issuer: t.Issuer, Hosts: list(t.Hosts),
		AfterLogoutURL: t.AfterLogoutURL, DefaultLanguage: cmp.Or(t.DefaultLanguage, i18n.Default),
		PrimaryColor: t.PrimaryColor, SupportURL: t.SupportURL, PrivacyURL: t.PrivacyURL, SignInMessage: t.SignInMessage,
		LogoType: t.LogoType, LogoSHA256: t.LogoHash,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}
