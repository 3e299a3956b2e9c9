package oauth

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func basic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}

func tokenRequest(target, authorization, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if authorization != "" {
		r.Header.Set("Authorization", authorization)
	}
	return r
}

func TestClientCredentials(t *testing.T) {
	const id = "5f0c1a7e-3b7e-4a52-9d1c-1b2f7b1e9c11"
	tests := []struct {
		name, target, auth, body string
		id, secret, method       string
		code                     ErrorCode
		desc                     string
	}{
		{"basic", "/oauth/token", basic(id, "s3cret"), "grant_type=client_credentials",
			id, "s3cret", AuthMethodClientSecretBasic, "", ""},
		{"basic decodes form-urlencoding", "/oauth/token",
			basic(url.QueryEscape("my client:1"), url.QueryEscape("p@ss:w+rd /%")), "",
			"my client:1", "p@ss:w+rd /%", AuthMethodClientSecretBasic, "", ""},
		{"basic plus is a space", "/oauth/token", basic("a+b", "c+d"), "", "a b", "c d", AuthMethodClientSecretBasic, "", ""},
		{"basic unpadded base64", "/oauth/token",
			"Basic " + base64.RawStdEncoding.EncodeToString([]byte("ab:cd")), "", "ab", "cd", AuthMethodClientSecretBasic, "", ""},
		{"basic scheme case-insensitive", "/oauth/token", "basic " + base64.StdEncoding.EncodeToString([]byte("ab:cd")), "",
			"ab", "cd", AuthMethodClientSecretBasic, "", ""},
		{"basic with matching body client_id", "/oauth/token", basic(id, "s"), "client_id=" + id,
			id, "s", AuthMethodClientSecretBasic, "", ""},
		{"basic with upper-cased body client_id", "/oauth/token", basic(id, "s"), "client_id=" + strings.ToUpper(id),
			id, "s", AuthMethodClientSecretBasic, "", ""},
		{"post", "/oauth/token", "", "client_id=" + id + "&client_secret=s3cret",
			id, "s3cret", AuthMethodClientSecretPost, "", ""},
		{"none (public client)", "/oauth/token", "", "client_id=" + id + "&code_verifier=x",
			id, "", AuthMethodNone, "", ""},

		{"both methods", "/oauth/token", basic(id, "s"), "client_secret=s", "", "", "", CodeInvalidRequest, "one client authentication method"},
		{"body client_id differs", "/oauth/token", basic(id, "s"), "client_id=other", "", "", "", CodeInvalidRequest, "differs"},
		{"no credentials", "/oauth/token", "", "grant_type=authorization_code", "", "", "", CodeInvalidClient, "required"},
		{"secret without id", "/oauth/token", "", "client_secret=s", "", "", "", CodeInvalidRequest, "client_id is required"},
		{"empty client_id", "/oauth/token", "", "client_id=", "", "", "", CodeInvalidRequest, "client_id is required"},
		{"empty client_secret", "/oauth/token", "", "client_id=a&client_secret=", "", "", "", CodeInvalidRequest, "client_secret is empty"},
		{"repeated client_id", "/oauth/token", "", "client_id=a&client_id=b", "", "", "", CodeInvalidRequest, "more than once"},
		{"repeated client_secret", "/oauth/token", "", "client_id=a&client_secret=x&client_secret=y", "", "", "", CodeInvalidRequest, "more than once"},
		{"secret in URL", "/oauth/token?client_secret=s", "", "client_id=a", "", "", "", CodeInvalidRequest, "not the URL"},
		{"client_id in URL", "/oauth/token?client_id=a", "", "", "", "", "", CodeInvalidRequest, "not the URL"},
		{"malformed body", "/oauth/token", "", "client_id=%zz", "", "", "", CodeInvalidRequest, "not a valid form"},
		{"control character in id", "/oauth/token", "", "client_id=a%0Ab", "", "", "", CodeInvalidRequest, "control characters"},
		{"huge client_id", "/oauth/token", "", "client_id=" + strings.Repeat("a", 300), "", "", "", CodeInvalidRequest, "too long"},

		{"bearer scheme", "/oauth/token", "Bearer abc", "", "", "", "", CodeInvalidClient, "Basic scheme"},
		{"scheme only", "/oauth/token", "Basic", "", "", "", "", CodeInvalidClient, "Basic scheme"},
		{"not base64", "/oauth/token", "Basic !!!", "", "", "", "", CodeInvalidClient, "not valid base64"},
		{"url-safe base64 is not Basic", "/oauth/token", "Basic " + base64.URLEncoding.EncodeToString([]byte("a>?:b>?")), "",
			"", "", "", CodeInvalidClient, "not valid base64"},
		{"no colon", "/oauth/token", "Basic " + base64.StdEncoding.EncodeToString([]byte("abc")), "", "", "", "", CodeInvalidClient, "no ':'"},
		{"bad escape", "/oauth/token", basic("a%zz", "b"), "", "", "", "", CodeInvalidClient, "form-urlencoded"},
		{"empty id", "/oauth/token", basic("", "b"), "", "", "", "", CodeInvalidClient, "empty client id or secret"},
		{"empty secret", "/oauth/token", basic("a", ""), "", "", "", "", CodeInvalidClient, "empty client id or secret"},
		{"control char in basic id", "/oauth/token", basic("a%00", "b"), "", "", "", "", CodeInvalidClient, "control characters"},
		{"huge basic secret", "/oauth/token", basic("a", strings.Repeat("s", 2000)), "", "", "", "", CodeInvalidClient, "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, secret, method, err := ClientCredentials(tokenRequest(tt.target, tt.auth, tt.body))
			if id != tt.id || secret != tt.secret || method != tt.method {
				t.Errorf("got (%q, %q, %q), want (%q, %q, %q)", id, secret, method, tt.id, tt.secret, tt.method)
			}
			if tt.code == "" {
				if err != nil {
					t.Errorf("unexpected error %v", err)
				}
				return
			}
			assertDesc(t, err, tt.code, tt.desc)
			if e := FromError(err); e != nil && strings.Contains(e.Description, "s3cret") {
				t.Errorf("description leaks the secret: %q", e.Description)
			}
		})
	}
}

func TestClientCredentialsRepeatedAuthorizationHeader(t *testing.T) {
	r := tokenRequest("/oauth/token", basic("a", "b"), "")
	r.Header.Add("Authorization", basic("c", "d"))
	_, _, _, err := ClientCredentials(r)
	assertDesc(t, err, CodeInvalidRequest, "more than once")
}

func TestClientCredentialsInvalidClientChallenges(t *testing.T) {
	_, _, _, err := ClientCredentials(tokenRequest("/oauth/token", "Basic !!!", ""))
	rec := httptest.NewRecorder()
	WriteJSON(rec, err)
	if rec.Code != 401 || rec.Header().Get("WWW-Authenticate") != `Basic realm="guildgate"` {
		t.Errorf("got %d %q, want 401 with a Basic challenge", rec.Code, rec.Header().Get("WWW-Authenticate"))
	}
}
