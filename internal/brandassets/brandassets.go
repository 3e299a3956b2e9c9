// Package brandassets serves a tenant's logo and its colour theme from our
// own origin, so pages load nothing from elsewhere (the CSP allows 'self'
// only) and the logo served is always the image Guildgate re-encoded.
// Both URLs name their content (the logo's SHA-256, the colour), so a
// browser may cache them for a year and still sees a change at once.
package brandassets

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/guildgate/guildgate/internal/branding"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/tenancy"
)

// Handler serves the assets of the request's tenant.
type Handler struct {
	Tenants store.Tenants
	Errors  *httpx.ErrorWriter
}

// Mount registers the routes.
func (h *Handler) Mount(mux *http.ServeMux) {
	mux.Handle("GET "+branding.LogoPath+"{hash}", h.Errors.Handle(h.logo))
	mux.Handle("GET "+branding.ThemePath+"{name}", h.Errors.Handle(h.theme))
}

func (h *Handler) logo(w http.ResponseWriter, r *http.Request) error {
	t, ok := tenancy.FromContext(r.Context())
	if !ok || !hashPattern.MatchString(r.PathValue("hash")) {
		return httpx.NotFound("There is no such logo here.")
	}
	// The stored logo decides, not the request's tenant record: that may
	// be a few seconds old (tenancy.Resolver caches it), and a logo just
	// uploaded through the API must be served at the URL it was given.
	l, err := h.Tenants.GetLogo(r.Context(), t.ID)
	if errors.Is(err, model.ErrNotFound) || err == nil && l.Hash != r.PathValue("hash") {
		return httpx.NotFound("There is no such logo here.")
	} else if err != nil {
		return httpx.Internal(fmt.Errorf("logo of tenant %s: %w", t.ID, err))
	}
	serve(w, r, l.Type, l.Hash, l.Data)
	return nil
}

// hashPattern is a logo's name: a hex SHA-256.
var hashPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// theme is the stylesheet that paints the page in the tenant's colour:
// /branding/theme/1f5fbf.css, for the colour the tenant has now only.
func (h *Handler) theme(w http.ResponseWriter, r *http.Request) error {
	t, ok := tenancy.FromContext(r.Context())
	if !ok || t.PrimaryColor == "" || r.PathValue("name") != branding.ThemeName(t.PrimaryColor) {
		return httpx.NotFound("There is no such theme here.")
	}
	serve(w, r, "text/css; charset=utf-8", branding.ThemeName(t.PrimaryColor), []byte(Theme(t.PrimaryColor)))
	return nil
}

// Theme is the stylesheet of a colour already checked by branding.CheckColor.
// It sets only the light scheme's accent: the dark scheme keeps its own
// light accent, which dark text reads on.
func Theme(color string) string {
	return fmt.Sprintf("@media not (prefers-color-scheme: dark) {\n  :root { --accent: %s; --accent-dark: %s; --focus: %s; }\n}\n",
		color, branding.Darker(color), branding.Darker(color))
}

// serve answers with content named by etag: cached for a year (its URL
// changes with it), revalidated by If-None-Match, never sniffed.
func serve(w http.ResponseWriter, r *http.Request, typ, etag string, content []byte) {
	h := w.Header()
	h.Set("Content-Type", typ)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", `"`+etag+`"`)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(content))
}
