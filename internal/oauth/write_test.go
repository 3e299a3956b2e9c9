package oauth

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWriteJSON(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		status    int
		body      string
		challenge string
	}{
		{"invalid_request", InvalidRequest("redirect_uri is missing."), 400,
			`{"error":"invalid_request","error_description":"redirect_uri is missing."}`, ""},
		{"invalid_client is 401 with Basic", InvalidClient("Unknown client."), 401,
			`{"error":"invalid_client","error_description":"Unknown client."}`, `Basic realm="guildgate"`},
		{"invalid_token is 401 with Bearer", InvalidToken("Token expired."), 401,
			`{"error":"invalid_token","error_description":"Token expired."}`,
			`Bearer realm="guildgate", error="invalid_token", error_description="Token expired."`},
		{"internal error text never reaches the client", errors.New("sql: password=hunter2"), 500,
			`{"error":"server_error","error_description":"` + serverErrorDescription + `"}`, ""},
		{"nil error is still an error response", nil, 500,
			`{"error":"server_error","error_description":"` + serverErrorDescription + `"}`, ""},
		{"hand-built description is sanitized", &Error{Code: CodeInvalidGrant, Status: 400, Description: "a\"b\x01"}, 400,
			`{"error":"invalid_grant","error_description":"a'b?"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			WriteJSON(rec, tt.err)
			if rec.Code != tt.status {
				t.Errorf("status %d, want %d", rec.Code, tt.status)
			}
			if got := strings.TrimSpace(rec.Body.String()); got != tt.body {
				t.Errorf("body %s\nwant %s", got, tt.body)
			}
			assertHeader(t, rec, "Content-Type", "application/json")
			assertHeader(t, rec, "Cache-Control", "no-store")
			assertHeader(t, rec, "Pragma", "no-cache")
			assertHeader(t, rec, "WWW-Authenticate", tt.challenge)
		})
	}
}

func TestWriteBearerError(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		status    int
		challenge string
		body      bool
	}{
		{"no credentials: realm only, no error detail", BearerTokenRequired(), 401, `Bearer realm="guildgate"`, false},
		{"invalid_token", InvalidToken("expired"), 401,
			`Bearer realm="guildgate", error="invalid_token", error_description="expired"`, true},
		{"invalid_request also gets a Bearer challenge", InvalidRequest("two tokens"), 400,
			`Bearer realm="guildgate", error="invalid_request", error_description="two tokens"`, true},
		{"insufficient_scope", InsufficientScope("need email", "email"), 403,
			`Bearer realm="guildgate", error="insufficient_scope", error_description="need email", scope="email"`, true},
		{"server error carries no challenge", errors.New("boom"), 500, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			WriteBearerError(rec, tt.err)
			if rec.Code != tt.status {
				t.Errorf("status %d, want %d", rec.Code, tt.status)
			}
			assertHeader(t, rec, "WWW-Authenticate", tt.challenge)
			assertHeader(t, rec, "Cache-Control", "no-store")
			if hasBody := rec.Body.Len() > 0; hasBody != tt.body {
				t.Errorf("body %q, want body: %v", rec.Body.String(), tt.body)
			}
		})
	}
}

func TestWriteTokenJSON(t *testing.T) {
	rec := httptest.NewRecorder()
	err := WriteTokenJSON(rec, map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 300})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Code != 200 {
		t.Errorf("status %d", rec.Code)
	}
	if got, want := rec.Body.String(), `{"access_token":"at","expires_in":300,"token_type":"Bearer"}`; got != want {
		t.Errorf("body %s, want %s", got, want)
	}
	assertHeader(t, rec, "Content-Type", "application/json")
	assertHeader(t, rec, "Cache-Control", "no-store")
	assertHeader(t, rec, "Pragma", "no-cache")
}

func TestWriteTokenJSONEncodingFailure(t *testing.T) {
	rec := httptest.NewRecorder()
	if err := WriteTokenJSON(rec, map[string]any{"bad": make(chan int)}); err == nil {
		t.Fatal("want an error for an unencodable value")
	}
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), `"server_error"`) {
		t.Errorf("got %d %s, want a clean server_error", rec.Code, rec.Body.String())
	}
}

func assertHeader(t *testing.T, rec *httptest.ResponseRecorder, name, want string) {
	t.Helper()
	if got := rec.Header().Get(name); got != want {
		t.Errorf("%s = %q, want %q", name, got, want)
	}
}
