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
