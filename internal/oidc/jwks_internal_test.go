package oidc

import (
	"net/http/httptest"
	"testing"
)

// TestJWKSHeadersFollowTheKeySet: responses share the header values of the
// key set they serve, and a new key set (a rotation, another tenant) gets
// its own ETag at once, in either order.
func TestJWKSHeadersFollowTheKeySet(t *testing.T) {
	var c documentCache
	serve := func(etag string) string {
		w := httptest.NewRecorder()
		writePrepared(w, httptest.NewRequest("GET", "/", nil),
			prepared{body: []byte(`{"keys":[]}`), etag: etag, headers: c.jwksHeaders(etag, 11)})
		if got := w.Header().Get("Cache-Control"); got != cacheJWKS {
			t.Errorf("Cache-Control %q", got)
		}
		return w.Header().Get("Etag")
	}
	for _, etag := range []string{`"a"`, `"a"`, `"b"`, `"a"`, `"b"`, `"b"`} {
		if got := serve(etag); got != etag {
			t.Errorf("ETag %s for the key set %s", got, etag)
		}
	}
	if c.jwksHeaders(`"b"`, 11) != c.jwksHeaders(`"b"`, 11) {
		t.Error("the same key set built its header values twice")
	}
}
