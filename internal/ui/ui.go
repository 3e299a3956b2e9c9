// Package ui holds the HTML pages members see, embedded in the binary and
// parsed once at start-up, so a broken template fails the start, not a login.
// Pages carry no inline script or style and load nothing from other origins:
// the Content-Security-Policy forbids both, and a sign-in page is the last
// place to trust a CDN.
package ui

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"slices"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/i18n"
)

//go:embed templates/*.html templates/parts/*.html
var templateFS embed.FS

// Page names for Render.
const (
	PageLoginEmail    = "login_email"
	PageLoginPassword = "login_password"
	PageSignedIn      = "signed_in"
	PageLogoutConfirm = "logout_confirm"
	PageSignedOut     = "signed_out"
	PageError         = "error"
	PageSSORedirect   = "sso_redirect"
	PageSSOError      = "sso_error"
	PageSSOSetup      = "sso_setup"
)

var pageNames = []string{PageLoginEmail, PageLoginPassword, PageSignedIn, PageLogoutConfirm, PageSignedOut, PageError,
	PageSSORedirect, PageSSOError, PageSSOSetup}

// UI renders pages and serves their static files.
type UI struct {
	pages  map[string]*template.Template
	static *httpx.Static
}

// New parses every template and fingerprints every static file.
func New() (*UI, error) {
	if _, err := i18n.Load(); err != nil {
		return nil, err
	}
	st, err := loadStatic()
	if err != nil {
		return nil, err
	}
	u := &UI{pages: make(map[string]*template.Template, len(pageNames)), static: st}
	base, err := template.New("layout.html").Funcs(u.funcs()).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("ui: parse layout: %w", err)
	}
	for _, name := range slices.Concat(pageNames, accountPageNames, mfaPageNames, devicePageNames) {
		if u.pages[name], err = parsePage(base, name); err != nil {
			return nil, err
		}
	}
	return u, nil
}

func parsePage(base *template.Template, name string) (*template.Template, error) {
	t, err := base.Clone()
	if err != nil {
		return nil, fmt.Errorf("ui: clone layout: %w", err)
	}
	files := []string{"templates/" + name + ".html"}
	// A long page keeps its sections in small files of their own,
	// templates/parts/<page>_<section>.html.
	parts, err := fs.Glob(templateFS, "templates/parts/"+name+"_*.html")
	if err != nil {
		return nil, fmt.Errorf("ui: parts of %s: %w", name, err)
	}
	if _, err := t.ParseFS(templateFS, append(files, parts...)...); err != nil {
		return nil, fmt.Errorf("ui: parse %s: %w", name, err)
	}
	return t, nil
}

func (u *UI) funcs() template.FuncMap {
	return template.FuncMap{
		"static": u.StaticURL,
		"site":   siteName,
	}
}

// siteName falls back to the product name for a tenant without a display name.
func siteName(s string) string {
	if s == "" {
		return "Guildgate"
	}
	return s
}

// Render writes page name with data through httpx.WritePage: a template
// error leaves w untouched, and every page is marked no-store.
func (u *UI) Render(w http.ResponseWriter, status int, name string, data any) error {
	t, ok := u.pages[name]
	if !ok {
		return fmt.Errorf("ui: no page %q", name)
	}
	if err := httpx.WritePage(w, status, t, data); err != nil {
		return fmt.Errorf("ui: render %s: %w", name, err)
	}
	return nil
}

// Mount serves the static files under /static/.
func (u *UI) Mount(mux *http.ServeMux) {
	mux.Handle("GET /static/{version}/{name}", u.static)
}

// StaticURL is the versioned URL of a static file, e.g. /static/1a2b…/gg.css.
func (u *UI) StaticURL(name string) string {
	return "/static/" + u.static.Version(name) + "/" + name
}
