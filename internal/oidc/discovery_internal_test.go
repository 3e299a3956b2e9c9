package oidc

import (
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// TestWritePreparedHeadersAsSet: the headers written by hand are exactly
// those Header.Set would write (canonical keys, one value each), and the
// conditional request still gets its 304.
func TestWritePreparedHeadersAsSet(t *testing.T) {
	p := prepared{body: []byte(`{"keys":[]}`), etag: `"abc"`, headers: preparedHeaders(`"abc"`, cacheJWKS, 11)}
	want := http.Header{}
	want.Set("Content-Type", "application/json")
	want.Set("Cache-Control", "public, max-age=300")
	want.Set("ETag", p.etag)
	want.Set("Access-Control-Allow-Origin", "*")
	want.Set("Content-Length", "11")

	w := httptest.NewRecorder()
	writePrepared(w, httptest.NewRequest("GET", "/", nil), p)
	if got := w.Result().Header; !maps.EqualFunc(got, want, slices.Equal) || w.Body.String() != string(p.body) {
		t.Errorf("headers %v body %q, want %v", got, w.Body, want)
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("If-None-Match", p.etag)
	w = httptest.NewRecorder()
	p.headers = preparedHeaders(p.etag, cacheDiscovery, 11)
	writePrepared(w, r, p)
	if w.Code != http.StatusNotModified || w.Body.Len() != 0 || w.Header().Get("Cache-Control") != "public, max-age=3600" ||
		w.Header().Get("Content-Length") != "" {
		t.Errorf("conditional: %d %q %v", w.Code, w.Body, w.Header())
	}
}

// TestPreparedDocumentsAreNotChunked: over a real HTTP/1.1 connection a
// document longer than net/http's 2 KiB buffer (the discovery document is
// about 3 KiB) goes with its Content-Length, not chunked.
func TestPreparedDocumentsAreNotChunked(t *testing.T) {
	body := []byte(`{"pad":"` + strings.Repeat("x", 3000) + `"}`)
	p := prepared{body: body, etag: etagOf(body), headers: preparedHeaders(etagOf(body), cacheDiscovery, len(body))}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writePrepared(w, r, p) }))
	defer srv.Close()
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		req, _ := http.NewRequest(method, srv.URL, nil)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.ContentLength != int64(len(body)) || len(resp.TransferEncoding) != 0 {
			t.Errorf("%s: Content-Length %d, Transfer-Encoding %v; want %d, none", method, resp.ContentLength, resp.TransferEncoding, len(body))
		}
		if method == http.MethodGet && string(got) != string(body) {
			t.Errorf("GET: body of %d bytes, want %d", len(got), len(body))
		}
	}
}
