package oauth

import "testing"

func TestParseResponseType(t *testing.T) {
	tests := []struct {
		in   string
		want ResponseType
		code ErrorCode
	}{
		{"code", ResponseTypeCode, ""},
		{"id_token", ResponseTypeIDToken, ""},
		{"id_token token", ResponseTypeIDTokenToken, ""},
		{"token id_token", ResponseTypeIDTokenToken, ""},
		{"code id_token", ResponseTypeCodeIDToken, ""},
		{"id_token code", ResponseTypeCodeIDToken, ""},
		{"code token", ResponseTypeCodeToken, ""},
		{"token code", ResponseTypeCodeToken, ""},
		{"code id_token token", ResponseTypeCodeIDTokenToken, ""},
		{"token id_token code", ResponseTypeCodeIDTokenToken, ""},
		{"id_token code token", ResponseTypeCodeIDTokenToken, ""},
		{"none", ResponseTypeNone, ""},
		{"", "", CodeInvalidRequest},
		{"code code", "", CodeInvalidRequest},
		{"code  id_token", "", CodeInvalidRequest},
		{" code", "", CodeInvalidRequest},
		{"code ", "", CodeInvalidRequest},
		{"token", "", CodeUnsupportedResponseType},
		{"none code", "", CodeUnsupportedResponseType},
		{"Code", "", CodeUnsupportedResponseType},
		{"code+id_token", "", CodeUnsupportedResponseType},
		{"code\tid_token", "", CodeUnsupportedResponseType},
		{"device_code", "", CodeUnsupportedResponseType},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseResponseType(tt.in)
			if got != tt.want || CodeOf(err) != tt.code {
				t.Errorf("ParseResponseType(%q) = %q, %v; want %q, %q", tt.in, got, err, tt.want, tt.code)
			}
		})
	}
}

func TestResponseTypeComponents(t *testing.T) {
	tests := []struct {
		rt                   ResponseType
		code, idToken, token bool
	}{
		{ResponseTypeCode, true, false, false},
		{ResponseTypeIDToken, false, true, false},
		{ResponseTypeIDTokenToken, false, true, true},
		{ResponseTypeCodeIDToken, true, true, false},
		{ResponseTypeCodeToken, true, false, true},
		{ResponseTypeCodeIDTokenToken, true, true, true},
		{ResponseTypeNone, false, false, false},
	}
	for _, tt := range tests {
		if tt.rt.ReturnsCode() != tt.code || tt.rt.ReturnsIDToken() != tt.idToken || tt.rt.ReturnsAccessToken() != tt.token {
			t.Errorf("%q: code %v id_token %v token %v", tt.rt, tt.rt.ReturnsCode(), tt.rt.ReturnsIDToken(), tt.rt.ReturnsAccessToken())
		}
	}
}

func TestParseGrantType(t *testing.T) {
	tests := []struct {
		in   string
		want GrantType
		code ErrorCode
	}{
		{"authorization_code", GrantAuthorizationCode, ""},
		{"refresh_token", GrantRefreshToken, ""},
		{"client_credentials", GrantClientCredentials, ""},
		{"", "", CodeInvalidRequest},
		{"password", "", CodeUnsupportedGrantType},
		{"Authorization_Code", "", CodeUnsupportedGrantType},
		{"urn:ietf:params:oauth:grant-type:device_code", GrantDeviceCode, ""},
		{"urn:ietf:params:oauth:grant-type:DEVICE_CODE", "", CodeUnsupportedGrantType},
	}
	for _, tt := range tests {
		got, err := ParseGrantType(tt.in)
		if got != tt.want || CodeOf(err) != tt.code {
			t.Errorf("ParseGrantType(%q) = %q, %v; want %q, %q", tt.in, got, err, tt.want, tt.code)
		}
	}
}

func TestParseScope(t *testing.T) {
	tests := []struct {
		in   string
		want string
		code ErrorCode
	}{
		{"", "", ""},
		{"openid", "openid", ""},
		{"openid profile email groups", "openid profile email groups", ""},
		{"email openid", "email openid", ""},
		{"urn:x:read https://api.example/scope", "urn:x:read https://api.example/scope", ""},
		{"openid openid", "", CodeInvalidScope},
		{"openid  email", "", CodeInvalidScope},
		{" openid", "", CodeInvalidScope},
		{"openid ", "", CodeInvalidScope},
		{"openid\temail", "", CodeInvalidScope},
		{"open\"id", "", CodeInvalidScope},
		{`open\id`, "", CodeInvalidScope},
		{"openid\x00", "", CodeInvalidScope},
		{"ßcope", "", CodeInvalidScope},
	}
	for _, tt := range tests {
		got, err := ParseScope(tt.in)
		if got.String() != tt.want || CodeOf(err) != tt.code {
			t.Errorf("ParseScope(%q) = %q, %v; want %q, %q", tt.in, got, err, tt.want, tt.code)
		}
	}
}

func TestScopesContains(t *testing.T) {
	sc, err := ParseScope("openid email")
	if err != nil {
		t.Fatal(err)
	}
	if !sc.Contains("email") || sc.Contains("profile") || sc.Contains("Email") {
		t.Errorf("Contains gives wrong answers for %v", sc)
	}
}
