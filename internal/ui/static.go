package ui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"time"
)

//go:embed static
var staticFS embed.FS

// staticFiles serves embedded files under a content-hash URL, so browsers may
// cache them for a year and still see a new version the moment it ships.
type staticFiles struct {
	content map[string][]byte
	version map[string]string
}

func loadStatic() (*staticFiles, error) {
	entries, err := fs.ReadDir(staticFS, "static")
	if err != nil {
		return nil, fmt.Errorf("ui: read static: %w", err)
	}
	s := &staticFiles{content: map[string][]byte{}, version: map[string]string{}}
	for _, e := range entries {
		b, err := staticFS.ReadFile("static/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("ui: read static %s: %w", e.Name(), err)
		}
		sum := sha256.Sum256(b)
		s.content[e.Name()] = b
		s.version[e.Name()] = hex.EncodeToString(sum[:6])
	}
	return s, nil
}

// ServeHTTP answers /static/{version}/{name}. A stale version (a page from
// the previous release, during a rolling deploy) still gets the current file,
// but uncached, so the long cache never pins the wrong content to a URL.
func (s *staticFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	b, ok := s.content[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("ETag", `"`+s.version[name]+`"`)
	if r.PathValue("version") == s.version[name] {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
}
