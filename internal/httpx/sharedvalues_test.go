package httpx

import (
	"net/http"
	"testing"
)

// TestSetShared: each header reads back as Header.Set would have written
// it, and an Add to one header leaves its neighbour's value alone.
func TestSetShared(t *testing.T) {
	keys := []string{"Cache-Control", "Pragma", "Content-Type"}
	values := [3]string{"no-store", "no-cache", "application/json"}
	h := http.Header{}
	SetShared(h, keys, values[:])
	want := http.Header{}
	for i, k := range keys {
		want.Set(k, values[i])
	}
	for k := range want {
		if got := h.Values(k); len(got) != 1 || got[0] != want.Get(k) {
			t.Errorf("%s = %q, want %q", k, got, want.Get(k))
		}
	}
	h.Add("Cache-Control", "private")
	if got := h.Values("Pragma"); len(got) != 1 || got[0] != "no-cache" {
		t.Errorf("after Add to Cache-Control, Pragma = %q", got)
	}
	if got := h.Values("Cache-Control"); len(got) != 2 || got[1] != "private" {
		t.Errorf("Cache-Control = %q, want the value and the added one", got)
	}
}

// TestSharedKeysCanonical: every key list given to SetShared here is in
// canonical form, which Header.Get needs to find it.
func TestSharedKeysCanonical(t *testing.T) {
	for _, k := range securityHeaderKeys {
		if c := http.CanonicalHeaderKey(k); c != k {
			t.Errorf("%q is not canonical (%q)", k, c)
		}
	}
}
