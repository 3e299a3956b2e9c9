package httpx

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"
)

// TestStaticCachePolicies pins the headers of both policies in use: the
// member pages' (public, ETag, a stale URL revalidates) and the console's
// (private, no ETag, a stale URL gets no Cache-Control at all).
func TestStaticCachePolicies(t *testing.T) {
	fsys := fstest.MapFS{"static/a.css": {Data: []byte("body{}")}}
	public := StaticCache{Current: "public, max-age=31536000, immutable", Stale: "no-cache", ETag: true}
	private := StaticCache{Current: "private, max-age=31536000, immutable"}
	for _, tc := range []struct {
		name     string
		cache    StaticCache
		current  bool
		wantCC   string
		wantETag bool
		wantCode int
		wantBody string
		file     string
	}{
		{"public current", public, true, "public, max-age=31536000, immutable", true, 200, "body{}", "a.css"},
		{"public stale", public, false, "no-cache", true, 200, "body{}", "a.css"},
		{"private current", private, true, "private, max-age=31536000, immutable", false, 200, "body{}", "a.css"},
		{"private stale", private, false, "", false, 200, "body{}", "a.css"},
		{"missing", public, true, "", false, 404, "404 page not found\n", "b.css"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewStatic(fsys, "static", tc.cache)
			if err != nil {
				t.Fatal(err)
			}
			version := "0000"
			if tc.current {
				version = s.Version("a.css")
			}
			mux := http.NewServeMux()
			mux.Handle("GET /static/{version}/{name}", s)
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest("GET", "/static/"+version+"/"+tc.file, nil))
			body, _ := io.ReadAll(rec.Body)
			if rec.Code != tc.wantCode || string(body) != tc.wantBody {
				t.Fatalf("got %d %q, want %d %q", rec.Code, body, tc.wantCode, tc.wantBody)
			}
			if cc := rec.Header().Get("Cache-Control"); cc != tc.wantCC {
				t.Errorf("Cache-Control %q, want %q", cc, tc.wantCC)
			}
			if etag := rec.Header().Get("ETag"); (etag == `"`+s.Version("a.css")+`"`) != tc.wantETag || (etag != "") != tc.wantETag {
				t.Errorf("ETag %q, want one: %v", etag, tc.wantETag)
			}
		})
	}
}
