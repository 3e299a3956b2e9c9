package api

import (
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/tenancy"
	"github.com/guildgate/guildgate/internal/views"
)

// The site's branding: its look on member-facing pages and mail. Every
// change goes through tenancy.Service.Update, the CLI's own path, so the
// same input is refused the same way, with nothing stored.

func (h *Handler) brandingRoutes() []route {
	return []route{
		{method: "GET", path: "branding", summary: "Get the site's branding: display name, colour, links, sign-in message, logo",
			resp: views.Branding{}, handle: h.getBranding},
		{method: "PUT", path: "branding", summary: "Replace the site's branding; an empty field is Guildgate's default " +
			"(the logo is its own resource, branding/logo)", body: brandingInput{}, resp: views.Branding{}, handle: h.putBranding},
		{method: "PATCH", path: "branding", summary: "Change some of the site's branding", body: brandingPatch{},
			resp: views.Branding{}, handle: h.patchBranding},
		{method: "PUT", path: "branding/logo", summary: "Upload the logo: a PNG, JPEG or WebP of at most 256 KiB, " +
			"redrawn before use (metadata is dropped)", body: imageBody{}, resp: views.Branding{}, handle: h.putLogo},
		{method: "DELETE", path: "branding/logo", summary: "Remove the logo", resp: views.Branding{}, handle: h.deleteLogo},
	}
}

// brandingInput is the whole branding; each field is required, and an
// empty one clears it (except the display name, which a site must have).
type brandingInput struct {
	DisplayName   *string `json:"display_name"`
	PrimaryColor  *string `json:"primary_color"`
	SupportURL    *string `json:"support_url"`
	PrivacyURL    *string `json:"privacy_url"`
	SignInMessage *string `json:"sign_in_message"`
}

// brandingPatch changes the fields it has.
type brandingPatch struct {
	DisplayName   *string `json:"display_name,omitempty"`
	PrimaryColor  *string `json:"primary_color,omitempty"`
	SupportURL    *string `json:"support_url,omitempty"`
	PrivacyURL    *string `json:"privacy_url,omitempty"`
	SignInMessage *string `json:"sign_in_message,omitempty"`
}

func (p brandingPatch) tenancy() tenancy.TenantPatch {
	return tenancy.TenantPatch{Name: p.DisplayName, PrimaryColor: p.PrimaryColor, SupportURL: p.SupportURL,
		PrivacyURL: p.PrivacyURL, SignInMessage: p.SignInMessage}
}

// imageBody marks a request body that is an image (PNG, JPEG or WebP).
type imageBody struct{}

// logoTypes are the media types a logo may be sent as; the bytes decide
// which decoder reads them, and a file that is not wholly such an image
// is refused whatever it is labelled.
var logoTypes = []string{"image/png", "image/jpeg", "image/webp"}

func (h *Handler) getBranding(w http.ResponseWriter, r *http.Request, c *call) error {
	t, err := h.Tenants.Get(r.Context(), c.tenant.Slug)
	if err != nil {
		return err
	}
	return ok(w, views.BrandingOf(t))
}

// putBranding replaces every field; one left out is an error naming it,
// so a script that forgets a field does not clear it unawares.
func (h *Handler) putBranding(w http.ResponseWriter, r *http.Request, c *call) error {
	var in brandingInput
	if err := decode(r, &in); err != nil {
		return err
	}
	for field, v := range map[string]*string{"display_name": in.DisplayName, "primary_color": in.PrimaryColor,
		"support_url": in.SupportURL, "privacy_url": in.PrivacyURL, "sign_in_message": in.SignInMessage} {
		if v == nil {
			return invalid(field, `is required in a PUT (send "" to clear it, or use PATCH)`)
		}
	}
	return h.updateBranding(w, r, c, brandingPatch(in).tenancy())
}

func (h *Handler) patchBranding(w http.ResponseWriter, r *http.Request, c *call) error {
	var p brandingPatch
	if err := decode(r, &p); err != nil {
		return err
	}
	return h.updateBranding(w, r, c, p.tenancy())
}

func (h *Handler) putLogo(w http.ResponseWriter, r *http.Request, c *call) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !slices.Contains(logoTypes, mt) {
		return &httpx.Error{Status: http.StatusUnsupportedMediaType, Message: "send the logo as " + strings.Join(logoTypes, ", ")}
	}
	logo, err := io.ReadAll(r.Body)
	if err != nil {
		return classify(err)
	}
	if len(logo) == 0 {
		return invalid("logo", "the file is empty; to remove the logo, DELETE it")
	}
	return h.updateBranding(w, r, c, tenancy.TenantPatch{Logo: &logo})
}

func (h *Handler) deleteLogo(w http.ResponseWriter, r *http.Request, c *call) error {
	return h.updateBranding(w, r, c, tenancy.TenantPatch{Logo: &[]byte{}})
}

func (h *Handler) updateBranding(w http.ResponseWriter, r *http.Request, c *call, p tenancy.TenantPatch) error {
	t, err := h.Tenants.Update(r.Context(), c.actor(), c.tenant.Slug, p)
	if err != nil {
		return err
	}
	return ok(w, views.BrandingOf(t))
}
