// Package ui holds the HTML pages members see, embedded in the binary and
// parsed at start-up, so a broken template fails the start, not a login.
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
	"sync"

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
	base   *template.Template // the layout, never executed: each page is a clone of it
	pages  map[string]*page
	static *httpx.Static
}

// page is one page's template, parsed when it is first rendered. Each page
// holds a deep copy of the layout's parse trees (html/template escapes every
// page's copy in place): all pages parsed up front were some 13,500 small
// pointer-linked objects, 720 KB, that every garbage collection marks, about
// 0.5 ms of CPU a cycle, and most pages are seldom or never shown. Password
// sign-ins start a collection every few sign-ins (each argon2id check
// allocates 19 MiB).
type page struct {
	once sync.Once
	t    *template.Template
	err  error
}

// New checks that every template parses, keeping none of them, and
// fingerprints every static file.
func New() (*UI, error) {
	if _, err := i18n.Load(); err != nil {
		return nil, err
	}
	st, err := loadStatic()
	if err != nil {
		return nil, err
	}
	names := slices.Concat(pageNames, accountPageNames, mfaPageNames, devicePageNames)
	u := &UI{pages: make(map[string]*page, len(names)), static: st}
	u.base, err = template.New("layout.html").Funcs(u.funcs()).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("ui: parse layout: %w", err)
	}
	for _, name := range names {
		if _, err := parsePage(u.base, name); err != nil {
			return nil, err
		}
		u.pages[name] = &page{}
	}
	return u, nil
}

// template returns page name's template, parsed on its first use; New has
// parsed every page once already, so that a broken one fails the start.
func (u *UI) template(name string) (*template.Template, error) {
	p, ok := u.pages[name]
	if !ok {
		return nil, fmt.Errorf("ui: no page %q", name)
	}
	p.once.Do(func() { p.t, p.err = parsePage(u.base, name) })
	return p.t, p.err
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
	t, err := u.template(name)
	if err != nil {
		return err
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
