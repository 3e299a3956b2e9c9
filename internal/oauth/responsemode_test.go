package oauth

import (
	"net/url"
	"testing"
)

func TestDefaultResponseMode(t *testing.T) {
	tests := []struct {
		rt   ResponseType
		want ResponseMode
	}{
		{ResponseTypeCode, ResponseModeQuery},
		{ResponseTypeNone, ResponseModeQuery},
		{ResponseTypeIDToken, ResponseModeFragment},
		{ResponseTypeIDTokenToken, ResponseModeFragment},
		{ResponseTypeCodeIDToken, ResponseModeFragment},
		{ResponseTypeCodeToken, ResponseModeFragment},
		{ResponseTypeCodeIDTokenToken, ResponseModeFragment},
		{"token", ResponseModeFragment},      // unparsed: still never in a query
		{"token code", ResponseModeFragment}, // non-canonical order
		{"", ResponseModeQuery},
	}
	for _, tt := range tests {
		if got := DefaultResponseMode(tt.rt); got != tt.want {
			t.Errorf("DefaultResponseMode(%q) = %q, want %q", tt.rt, got, tt.want)
		}
	}
}

func TestValidResponseMode(t *testing.T) {
	tests := []struct {
		rt   ResponseType
		mode ResponseMode
		ok   bool
	}{
		{ResponseTypeCode, ResponseModeQuery, true},
		{ResponseTypeCode, ResponseModeFragment, true},
		{ResponseTypeCode, ResponseModeFormPost, true},
		{ResponseTypeNone, ResponseModeQuery, true},
		{ResponseTypeIDToken, ResponseModeQuery, false},
		{ResponseTypeIDTokenToken, ResponseModeQuery, false},
		{ResponseTypeCodeIDToken, ResponseModeQuery, false},
		{ResponseTypeCodeToken, ResponseModeQuery, false},
		{ResponseTypeCodeIDTokenToken, ResponseModeQuery, false},
		{ResponseTypeIDToken, ResponseModeFormPost, true},
		{ResponseTypeCodeIDTokenToken, ResponseModeFragment, true},
		{ResponseTypeCode, "web_message", false},
		{ResponseTypeCode, "QUERY", false},
		{ResponseTypeCode, "", false},
	}
	for _, tt := range tests {
		err := ValidResponseMode(tt.rt, tt.mode)
		if (err == nil) != tt.ok {
			t.Errorf("ValidResponseMode(%q, %q) = %v, want ok=%v", tt.rt, tt.mode, err, tt.ok)
		}
		if err != nil && CodeOf(err) != CodeInvalidRequest {
			t.Errorf("ValidResponseMode(%q, %q) code %q", tt.rt, tt.mode, CodeOf(err))
		}
	}
}

func TestParseResponseMode(t *testing.T) {
	tests := []struct {
		in   string
		rt   ResponseType
		want ResponseMode
		ok   bool
	}{
		{"", ResponseTypeCode, ResponseModeQuery, true},
		{"", ResponseTypeIDToken, ResponseModeFragment, true},
		{"form_post", ResponseTypeCodeIDToken, ResponseModeFormPost, true},
		{"query", ResponseTypeIDTokenToken, "", false},
		{"jwt", ResponseTypeCode, "", false},
	}
	for _, tt := range tests {
		got, err := ParseResponseMode(tt.in, tt.rt)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseResponseMode(%q, %q) = %q, %v", tt.in, tt.rt, got, err)
		}
	}
}

func TestBuildRedirect(t *testing.T) {
	params := url.Values{"code": {"abc"}, "state": {"s&t=a te#?"}}
	tests := []struct {
		name, uri string
		mode      ResponseMode
		params    url.Values
		want      string
		wantErr   bool
	}{
		{"query", "https://app.example/cb", ResponseModeQuery, params,
			"https://app.example/cb?code=abc&state=s%26t%3Da+te%23%3F", false},
		{"registered query is kept byte for byte", "https://app.example/cb?tenant=a%2Fb&x", ResponseModeQuery, params,
			"https://app.example/cb?tenant=a%2Fb&x&code=abc&state=s%26t%3Da+te%23%3F", false},
		{"trailing ? or &", "https://app.example/cb?", ResponseModeQuery, url.Values{"code": {"c"}},
			"https://app.example/cb?code=c", false},
		{"fragment", "https://app.example/cb", ResponseModeFragment, url.Values{"id_token": {"x.y.z"}},
			"https://app.example/cb#id_token=x.y.z", false},
		{"fragment keeps registered query", "https://app.example/cb?a=1", ResponseModeFragment, url.Values{"id_token": {"t"}},
			"https://app.example/cb?a=1#id_token=t", false},
		{"no params", "https://app.example/cb", ResponseModeQuery, nil, "https://app.example/cb", false},
		{"loopback", "http://127.0.0.1:5000/cb", ResponseModeQuery, url.Values{"code": {"c"}},
			"http://127.0.0.1:5000/cb?code=c", false},
		{"form_post is not a redirect", "https://app.example/cb", ResponseModeFormPost, params, "", true},
		{"unknown mode", "https://app.example/cb", "web_message", params, "", true},
		{"javascript scheme", "javascript:alert(1)//", ResponseModeQuery, params, "", true},
		{"data scheme", "data:text/html,<script>x</script>", ResponseModeFragment, params, "", true},
		{"relative", "/cb", ResponseModeQuery, params, "", true},
		{"existing fragment", "https://app.example/cb#x", ResponseModeFragment, params, "", true},
		{"unparseable", "https://app.example/%zz", ResponseModeQuery, params, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := BuildRedirect(tt.uri, tt.mode, tt.params)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("BuildRedirect = %q, %v\nwant %q, err=%v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestErrorParams(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		state, iss string
		want       url.Values
	}{
		{"state echoed unchanged", LoginRequired("No session."), "  a+b/é&x ", "",
			url.Values{"error": {"login_required"}, "error_description": {"No session."}, "state": {"  a+b/é&x "}}},
		{"iss added when given", AccessDenied("Not in a permitted group."), "s", "https://sso.example.org",
			url.Values{"error": {"access_denied"}, "error_description": {"Not in a permitted group."},
				"state": {"s"}, "iss": {"https://sso.example.org"}}},
		{"no state sent", InvalidScope("Unknown scope."), "", "",
			url.Values{"error": {"invalid_scope"}, "error_description": {"Unknown scope."}}},
		{"internal errors are fixed text", errUnexpected{}, "s", "",
			url.Values{"error": {"server_error"}, "error_description": {serverErrorDescription}, "state": {"s"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ErrorParams(tt.err, tt.state, tt.iss)
			if got.Encode() != tt.want.Encode() {
				t.Errorf("ErrorParams = %v\nwant %v", got, tt.want)
			}
		})
	}
}

type errUnexpected struct{}

func (errUnexpected) Error() string { return "secret internal detail" }
