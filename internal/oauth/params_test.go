package oauth

import (
	"net/url"
	"testing"
)

func TestSingleValues(t *testing.T) {
	tests := []struct {
		query, wantDesc string
	}{
		{"client_id=a&redirect_uri=b&state=c", ""},
		{"", ""},
		{"scope=a&other=1&other=2", ""}, // not a checked name
		{"client_id=a&client_id=a", "client_id parameter is included more than once"},
		{"redirect_uri=https://a/cb&redirect_uri=https://evil/cb", "redirect_uri parameter"},
		{"state=&state=", "state parameter"},
	}
	for _, tt := range tests {
		v, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		assertDesc(t, SingleValues(v, "client_id", "redirect_uri", "state", "scope"), CodeInvalidRequest, tt.wantDesc)
	}
}

// TestCheckText: invalid UTF-8 in any form, and control characters, are
// refused by name; any valid text is accepted, non-ASCII included.
func TestCheckText(t *testing.T) {
	for name, raw := range map[string]string{
		"overlong '/'":       "nonce=%C0%AF",
		"overlong NUL":       "nonce=%C0%80",
		"surrogate half":     "nonce=%ED%A0%80",
		"FF FE":              "nonce=%FF%FE",
		"truncated":          "nonce=%E2%82",
		"lone continuation":  "nonce=%80",
		"beyond U+10FFFF":    "nonce=%F4%90%80%80",
		"NUL":                "nonce=a%00b",
		"newline":            "nonce=a%0Ab",
		"tab":                "nonce=a%09b",
		"DEL":                "nonce=a%7Fb",
		"C1 (U+0085)":        "nonce=a%C2%85b",
		"second of two":      "state=ok&nonce=ok&nonce=%FF",
		"reported in order":  "zeta=%FF&nonce=%00",
		"raw byte in a body": "nonce=\xff",
	} {
		v, err := url.ParseQuery(raw)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		assertDesc(t, CheckText(v), CodeInvalidRequest, "The nonce parameter is not valid UTF-8 text")
	}
	for _, raw := range []string{"%FF=1", "=%00", "=%00&nonce=%FF"} {
		v, _ := url.ParseQuery(raw)
		assertDesc(t, CheckText(v), CodeInvalidRequest, "A parameter name is missing, or is not valid UTF-8 text")
	}
	for _, raw := range []string{
		"", "nonce=n-0S6_WzA2Mj&state=af0ifjsldkj%2B%2F+%26x%3Dy", "login_hint=j%C3%BCrgen%40m%C3%BCnchen.example",
		"claims=%7B%22id_token%22%3A%7B%7D%7D", "ui_locales=fr-CA+en", "nonce=%F0%9F%8D%9E", "state=%EF%BF%BD", "empty=",
	} {
		v, _ := url.ParseQuery(raw)
		if err := CheckText(v); err != nil {
			t.Errorf("%q refused: %v", raw, err)
		}
	}
}
