package httpx

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"time"
)

// StaticCache is how the answers of a Static may be cached.
type StaticCache struct {
	Current string // Cache-Control under the file's current version
	Stale   string // Cache-Control under any other version; "" sends none
	ETag    bool   // send the version as ETag, so a stale URL revalidates
}

// Static serves the files of one directory under a content-hash URL
// (…/{version}/{name}), so browsers may cache them for a year and still see
// a new version the moment it ships. A stale version (a page of the previous
// release, during a rolling deploy) still gets the current file, under the
// Stale policy, so the long cache never pins the wrong content to a URL.
type Static struct {
	content map[string][]byte
	version map[string]string
	cache   StaticCache
}

// NewStatic reads and fingerprints every file in dir of fsys.
func NewStatic(fsys fs.FS, dir string, cache StaticCache) (*Static, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read static: %w", err)
	}
	s := &Static{content: map[string][]byte{}, version: map[string]string{}, cache: cache}
	for _, e := range entries {
		b, err := fs.ReadFile(fsys, dir+"/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("read static %s: %w", e.Name(), err)
		}
		sum := sha256.Sum256(b)
		s.content[e.Name()] = b
		s.version[e.Name()] = hex.EncodeToString(sum[:6])
	}
	return s, nil
}

// Version is the content hash of the named file, the {version} of its URL.
func (s *Static) Version(name string) string { return s.version[name] }

// ServeHTTP answers a route with {version} and {name} path values.
func (s *Static) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	b, ok := s.content[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if s.cache.ETag {
		w.Header().Set("ETag", `"`+s.version[name]+`"`)
	}
	cc := s.cache.Stale
	if r.PathValue("version") == s.version[name] {
		cc = s.cache.Current
	}
	if cc != "" {
		w.Header().Set("Cache-Control", cc)
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
}
