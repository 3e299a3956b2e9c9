package returnto

import (
	"strings"
	"testing"
)

func TestSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/oauth/authorize?client_id=a&state=b", "/oauth/authorize?client_id=a&state=b"},
		{"/", "/"},
		{"/admin/members?q=%2F%2Fx", "/admin/members?q=%2F%2Fx"},
		{"/a/../b", "/a/../b"},
		{"", "/login"},
		{"//evil.example", "/login"},
		{"//evil.example/path", "/login"},
		{"/\\evil.example", "/login"},
		{"\\\\evil.example", "/login"},
		{"/a\\b", "/login"},
		{"https://evil.example/", "/login"},
		{"http:/evil.example", "/login"},
		{"javascript:alert(1)", "/login"},
		{"evil.example", "/login"},
		{"relative/path", "/login"},
		{"/\t/evil.example", "/login"},
		{"/\n/evil.example", "/login"},
		{"/\r\nSet-Cookie: x=y", "/login"},
		{"/\x00", "/login"},
		{"/\x7f", "/login"},
		{"/\u0085x", "/login"},
		{" /x", "/login"},
		{"/" + strings.Repeat("a", 5000), "/login"},
		{"/\xff", "/login"},
		{"/%zz", "/login"},
	}
	for _, tc := range tests {
		if got := Safe(tc.in); got != tc.want {
			t.Errorf("Safe(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
