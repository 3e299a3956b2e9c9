package oidc

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

// TestWritePreparedHeadersAsSet: the headers written by hand are exactly
// those Header.Set would write (canonical keys, one value each), and the
// conditional request still gets its 304.
func TestWritePreparedHeadersAsSet(t *testing.T) {
	p := prepared{body: []byte(`{"keys":[]}`), etag: `"abc"`, headers: preparedHeaders(`"abc"`, cacheJWKS)}
	want := http.Header{}
	want.Set("Content-Type", "application/json")
	want.Set("Cache-Control", "public, max-age=300")
	want.Set("ETag", p.etag)
	want.Set("Access-Control-Allow-Origin", "*")

	w := httptest.NewRecorder()
	writePrepared(w, httptest.NewRequest("GET", "/", nil), p)
	if got := w.Result().Header; !maps.EqualFunc(got, want, slices.Equal) || w.Body.String() != string(p.body) {
		t.Errorf("headers %v body %q, want %v", got, w.Body, want)
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("If-None-Match", p.etag)
	w = httptest.NewRecorder()
	p.headers = preparedHeaders(p.etag, cacheDiscovery)
	writePrepared(w, r, p)
	if w.Code != http.StatusNotModified || w.Body.Len() != 0 || w.Header().Get("Cache-Control") != "public, max-age=3600" {
		t.Errorf("conditional: %d %q %v", w.Code, w.Body, w.Header())
	}
}
