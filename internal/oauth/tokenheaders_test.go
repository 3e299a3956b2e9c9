package oauth

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
)

// TestTokenHeadersAreTheSetOnes: WriteTokenBody's headers are exactly those
// that Set gave them, one value each.
func TestTokenHeadersAreTheSetOnes(t *testing.T) {
	rec := httptest.NewRecorder()
	if err := WriteTokenBody(rec, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	want := http.Header{}
	noStore(want)
	want.Set("Content-Type", "application/json")
	if got := rec.Header(); !reflect.DeepEqual(got, want) {
		t.Errorf("headers %v, want %v", got, want)
	}
}

// TestTokenHeadersAreOwnedByTheResponse: the values share one array, yet
// changing one header of a response changes neither its neighbours nor the
// next response's.
func TestTokenHeadersAreOwnedByTheResponse(t *testing.T) {
	first := httptest.NewRecorder()
	if err := WriteTokenBody(first, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	h := first.Header()
	h.Add("Cache-Control", "private")
	h["Pragma"][0] = "meddled"
	if got := h.Values("Cache-Control"); len(got) != 2 || got[0] != "no-store" || got[1] != "private" {
		t.Errorf("Cache-Control = %q", got)
	}
	if got := h.Values("Content-Type"); len(got) != 1 || got[0] != "application/json" {
		t.Errorf("Content-Type = %q after its neighbours changed", got)
	}
	second := httptest.NewRecorder()
	if err := WriteTokenJSON(second, map[string]string{}); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"Cache-Control": "no-store", "Pragma": "no-cache", "Content-Type": "application/json"} {
		if got := second.Header().Values(k); len(got) != 1 || got[0] != v {
			t.Errorf("next response: %s = %q, want %q", k, got, v)
		}
	}
}

// BenchmarkWriteTokenBody: the headers and body of a token response, on a
// writer that keeps only the header map.
func BenchmarkWriteTokenBody(b *testing.B) {
	body := []byte(`{"access_token":"at","token_type":"Bearer","expires_in":300}`)
	b.ReportAllocs()
	for b.Loop() {
		w := headerOnly{make(http.Header, 4)}
		_ = WriteTokenBody(w, body)
	}
}

type headerOnly struct{ h http.Header }

func (w headerOnly) Header() http.Header         { return w.h }
func (w headerOnly) WriteHeader(int)             {}
func (w headerOnly) Write(p []byte) (int, error) { return len(p), nil }
