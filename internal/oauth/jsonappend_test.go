package oauth

import (
	"encoding/json"
	"testing"
)

// TestAppendJSONStringMatchesEncodingJSON: the hand-written path and the
// fallback together give encoding/json's bytes for every kind of string.
func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "eyJhbGciOi.abc-_", "openid profile", `a"b\c`, "<script>&", "tab\there\n",
		"\x00\x1f\x7f", "é ü 日本", "\u2028\u2029", "bad \xff utf-8", "~!#$%^*()[]{}|;:',./?"} {
		want, _ := json.Marshal(s)
		if got := AppendJSONString([]byte("x"), s); string(got) != "x"+string(want) {
			t.Errorf("%q: got %s, want %s", s, got[1:], want)
		}
	}
}

func FuzzAppendJSONString(f *testing.F) {
	f.Add("openid <x> & \"y\"")
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := AppendJSONString(nil, s); string(got) != string(want) {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	})
}
