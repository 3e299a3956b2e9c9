package oauth

import (
	"encoding/json"
	"strings"
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

// TestAppendJSONStringEveryByte: each byte value, alone and inside plain
// text, is written as encoding/json writes it.
func TestAppendJSONStringEveryByte(t *testing.T) {
	for c := range 256 {
		for _, s := range []string{string([]byte{byte(c)}), "ab" + string([]byte{byte(c)}) + "cd"} {
			want, _ := json.Marshal(s)
			if got := AppendJSONString(nil, s); string(got) != string(want) {
				t.Errorf("byte %#x in %q: got %s, want %s", c, s, got, want)
			}
		}
	}
}

// BenchmarkAppendJSONString is a signed token's worth of plain bytes, the
// token response's common case.
func BenchmarkAppendJSONString(b *testing.B) {
	s := strings.Repeat("eyJhbGciOiJFUzI1NiIsImtpZCI6IjEifQ.abc-_", 20)
	buf := make([]byte, 0, 2*len(s))
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		buf = AppendJSONString(buf[:0], s)
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

// TestAppendMapMatchesEncodingJSON: claims maps (userinfo's) are written as
// encoding/json writes them, and a value of another type is left to it.
func TestAppendMapMatchesEncodingJSON(t *testing.T) {
	for _, m := range []map[string]any{
		{},
		{"sub": "m-1", "member_status": "current", "email": "a<b>@example.org", "email_verified": true,
			"updated_at": int64(1767225600), "groups": []string{"Board", "é"}, "name": "Ada \"L\""},
		{"groups": []string{}, "z": false, "a": int64(-1), "ünï": "x"},
		{"groups": []string(nil)},
	} {
		want, _ := json.Marshal(m)
		got, ok := appendMap(nil, m)
		if !ok || string(got) != string(want) {
			t.Errorf("got  %s (%v)\nwant %s", got, ok, want)
		}
	}
	if _, ok := appendMap(nil, map[string]any{"n": 1.5}); ok {
		t.Error("a float was written by hand")
	}
}
