package console

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"

	"github.com/guildgate/guildgate/internal/branding"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/tenancy"
)

// The Branding page: the site's look on member-facing pages and mail,
// through tenancy.Service.Update like the CLI and the API, beside a
// preview of the sign-in page. The preview is drawn by the server from the
// stored (or, after a refusal, the submitted) values; branding.js redraws
// it as the administrator types or picks a logo.

type brandingPage struct {
	base
	Name, Color, Support, Privacy, Message string
	RemoveLogo                             bool
	LogoURL                                string // the stored logo, "" when none
	PreviewCSS                             string // the preview's colour, "" for the default
	MaxMessage                             int
	Errors                                 map[string][]string
}

func (h *Handler) brandingRoutes() []route {
	return []route{
		{"GET /admin/branding", h.showBranding},
		{"POST /admin/branding", h.updateBranding},
		{"GET /admin/branding/preview/{name}", h.previewCSS},
	}
}

func (h *Handler) showBranding(w http.ResponseWriter, r *http.Request, c *call) error {
	t, err := h.Tenants.Get(r.Context(), c.tenant.Slug)
	if err != nil {
		return err
	}
	p := brandingPage{Name: t.Name, Color: t.PrimaryColor, Support: t.SupportURL, Privacy: t.PrivacyURL, Message: t.SignInMessage}
	return h.renderBranding(w, r, c, t, p, http.StatusOK)
}

func (h *Handler) renderBranding(w http.ResponseWriter, r *http.Request, c *call, t model.Tenant, p brandingPage, status int) error {
	p.base, p.MaxMessage = pageBase(r, c, "branding", "Branding"), branding.MaxMessageLen
	if t.LogoHash != "" {
		p.LogoURL = branding.LogoPath + t.LogoHash
	}
	if c := branding.NormalizeColor(p.Color); c != "" && branding.CheckColor(c) == "" {
		p.PreviewCSS = "/admin/branding/preview/" + branding.ThemeName(c)
	}
	// The preview shows a logo the administrator picks before it is
	// uploaded: branding.js reads it as a blob: URL, which this page
	// alone may show.
	httpx.AllowImageSource(w, "blob:")
	return h.views.render(w, status, "branding", p)
}

func (h *Handler) updateBranding(w http.ResponseWriter, r *http.Request, c *call) error {
	f := r.PostForm
	p := brandingPage{Name: f.Get("display_name"), Color: f.Get("primary_color"), Support: f.Get("support_url"),
		Privacy: f.Get("privacy_url"), Message: f.Get("sign_in_message"), RemoveLogo: f.Get("remove_logo") == "on"}
	patch := tenancy.TenantPatch{Name: &p.Name, PrimaryColor: &p.Color, SupportURL: &p.Support, PrivacyURL: &p.Privacy,
		SignInMessage: &p.Message}
	logo, err := uploadedLogo(r)
	if err != nil {
		return err
	}
	if logo != nil {
		patch.Logo = &logo
	} else if p.RemoveLogo {
		patch.Logo = &[]byte{}
	}
	_, err = h.Tenants.Update(r.Context(), c.actor(), c.tenant.Slug, patch)
	if errs, bad := fieldErrors(err); bad {
		t, err := h.Tenants.Get(r.Context(), c.tenant.Slug)
		if err != nil {
			return err
		}
		p.Errors = errs
		return h.renderBranding(w, r, c, t, p, http.StatusBadRequest)
	} else if err != nil {
		return err
	}
	return seeOther(w, "/admin/branding", "branding-updated")
}

// uploadedLogo is the file of the form's logo field, or nil when none was
// chosen. It reads one byte more than a logo may have, so that the
// service, not this reader, says the file is too large and by how much.
func uploadedLogo(r *http.Request) ([]byte, error) {
	if r.MultipartForm == nil || len(r.MultipartForm.File["logo"]) == 0 {
		return nil, nil
	}
	fh := r.MultipartForm.File["logo"][0]
	if fh.Filename == "" && fh.Size == 0 {
		return nil, nil // the field was left empty
	}
	f, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("open uploaded logo: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, branding.MaxLogoBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read uploaded logo: %w", err)
	}
	if len(b) == 0 {
		return nil, httpx.BadRequest("The chosen logo file is empty.")
	}
	return b, nil
}

var colorPattern = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// previewCSS colours the preview in any #RRGGBB the form holds, as
// package brandassets colours the member pages in the stored one; it
// serves administrators only, and no page but the preview uses it.
func (h *Handler) previewCSS(w http.ResponseWriter, r *http.Request, _ *call) error {
	name := r.PathValue("name")
	hex, ok := strings.CutSuffix(name, ".css")
	if !ok || !colorPattern.MatchString("#"+hex) || hex != strings.ToLower(hex) {
		return httpx.NotFound("There is no such stylesheet.")
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	_, err := fmt.Fprintf(w, ".preview-frame { --preview-accent: #%s; --preview-accent-dark: %s; }\n", hex, branding.Darker("#"+hex))
	return err
}
