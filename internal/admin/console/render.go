package console

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/guildgate/guildgate/internal/httpx"
)

// The console's own templates and assets live here rather than in package
// ui: they are seen only by administrators, and keeping them apart keeps the
// member-facing pages small.
//
//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// views are the parsed pages, each the layout plus one page file.
type views struct {
	pages  map[string]*template.Template
	static *httpx.Static
}

// adminCache keeps a current file for a year in the administrator's own
// browser only: the files are served behind the console's sign-in.
var adminCache = httpx.StaticCache{Current: "private, max-age=31536000, immutable"}

// parsedViews is every page, parsed on first use: Mount and the test
// sign-in page share them.
var parsedViews = sync.OnceValue(parseViews)

// parseViews parses every page once, at Mount. The files are compiled into
// the binary, so a parse error is a build defect that every test run finds;
// it panics rather than serving a console with a missing page.
func parseViews() *views {
	static, err := httpx.NewStatic(staticFS, "static", adminCache)
	if err != nil {
		panic(err)
	}
	v := &views{pages: map[string]*template.Template{}, static: static}
	funcs := template.FuncMap{"asset": v.assetURL, "when": when, "join": strings.Join, "has": has}
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html"))
	files, _ := fs.Glob(templateFS, "templates/*.html")
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t := template.Must(base.Clone())
		v.pages[name] = template.Must(t.ParseFS(templateFS, f))
	}
	return v
}

func (v *views) assetURL(name string) string {
	return "/admin/static/" + v.static.Version(name) + "/" + name
}

func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func has(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// render writes a page through httpx.WritePage, so a template error still
// lets the caller answer with an error page.
func (v *views) render(w http.ResponseWriter, status int, name string, data any) error {
	t, ok := v.pages[name]
	if !ok {
		return fmt.Errorf("console: no page %q", name)
	}
	if err := httpx.WritePage(w, status, t, data); err != nil {
		return fmt.Errorf("console: render %s: %w", name, err)
	}
	return nil
}
