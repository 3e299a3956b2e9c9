package oidc

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
)

// TestCORSHeadersAreTheSetOnes: cors's headers are exactly those that Set
// gave them, one value each.
func TestCORSHeadersAreTheSetOnes(t *testing.T) {
	rec := httptest.NewRecorder()
	cors(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(rec, httptest.NewRequest("POST", "/token", nil))
	want := http.Header{}
	want.Set("Access-Control-Allow-Origin", "*")
	want.Set("Access-Control-Expose-Headers", "WWW-Authenticate, DPoP-Nonce")
	if got := rec.Header(); !reflect.DeepEqual(got, want) {
		t.Errorf("headers %v, want %v", got, want)
	}
}

// TestCORSHeadersAreOwnedByTheResponse: the two values share one array, yet
// changing one header of a response changes neither its neighbour nor the
// next response's.
func TestCORSHeadersAreOwnedByTheResponse(t *testing.T) {
	h := cors(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/meddle" {
			w.Header().Add("Access-Control-Allow-Origin", "extra")
			w.Header()["Access-Control-Allow-Origin"][0] = "https://rp.example"
		}
	}))
	first := httptest.NewRecorder()
	h.ServeHTTP(first, httptest.NewRequest("POST", "/meddle", nil))
	if got := first.Header().Values("Access-Control-Allow-Origin"); len(got) != 2 || got[0] != "https://rp.example" || got[1] != "extra" {
		t.Errorf("Access-Control-Allow-Origin = %q", got)
	}
	if got := first.Header().Values("Access-Control-Expose-Headers"); len(got) != 1 || got[0] != "WWW-Authenticate, DPoP-Nonce" {
		t.Errorf("Access-Control-Expose-Headers = %q after its neighbour changed", got)
	}
	second := httptest.NewRecorder()
	h.ServeHTTP(second, httptest.NewRequest("POST", "/", nil))
	if got := second.Header().Values("Access-Control-Allow-Origin"); len(got) != 1 || got[0] != "*" {
		t.Errorf("next response: Access-Control-Allow-Origin = %q", got)
	}
}
