package oauth

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestConstructors(t *testing.T) {
	tests := []struct {
		err       *Error
		code      ErrorCode
		status    int
		challenge string
	}{
		{InvalidRequest("d"), CodeInvalidRequest, 400, ""},
		{InvalidClient("d"), CodeInvalidClient, 401, `Basic realm="guildgate"`},
		{InvalidGrant("d"), CodeInvalidGrant, 400, ""},
		{UnauthorizedClient("d"), CodeUnauthorizedClient, 400, ""},
		{UnsupportedGrantType("d"), CodeUnsupportedGrantType, 400, ""},
		{UnsupportedResponseType("d"), CodeUnsupportedResponseType, 400, ""},
		{InvalidScope("d"), CodeInvalidScope, 400, ""},
		{AccessDenied("d"), CodeAccessDenied, 403, ""},
		{ServerError(nil), CodeServerError, 500, ""},
		{TemporarilyUnavailable("d"), CodeTemporarilyUnavailable, 503, ""},
		{LoginRequired("d"), CodeLoginRequired, 400, ""},
		{ConsentRequired("d"), CodeConsentRequired, 400, ""},
		{InteractionRequired("d"), CodeInteractionRequired, 400, ""},
		{AccountSelectionRequired("d"), CodeAccountSelectionRequired, 400, ""},
		{RequestNotSupported("d"), CodeRequestNotSupported, 400, ""},
		{RequestURINotSupported("d"), CodeRequestURINotSupported, 400, ""},
		{RegistrationNotSupported("d"), CodeRegistrationNotSupported, 400, ""},
		{InvalidToken("d"), CodeInvalidToken, 401, `Bearer realm="guildgate", error="invalid_token", error_description="d"`},
		{BearerTokenRequired(), CodeInvalidToken, 401, `Bearer realm="guildgate"`},
		{InsufficientScope("d"), CodeInsufficientScope, 403, `Bearer realm="guildgate", error="insufficient_scope", error_description="d"`},
		{InsufficientScope("d", "openid", "bad\"scope", "email"), CodeInsufficientScope, 403,
			`Bearer realm="guildgate", error="insufficient_scope", error_description="d", scope="openid email"`},
		{UnsupportedTokenType("d"), CodeUnsupportedTokenType, 400, ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.code), func(t *testing.T) {
			if tt.err.Code != tt.code || tt.err.Status != tt.status || tt.err.Challenge != tt.challenge {
				t.Errorf("got code %q status %d challenge %q; want %q %d %q",
					tt.err.Code, tt.err.Status, tt.err.Challenge, tt.code, tt.status, tt.challenge)
			}
		})
	}
}

func TestConstructorsReturnFreshValues(t *testing.T) {
	a, b := InvalidGrant("x"), InvalidGrant("x")
	if a == b {
		t.Fatal("constructor returned a shared value")
	}
	a.WithCause(errors.New("db down"))
	if b.Cause != nil {
		t.Fatal("attaching a cause to one error changed another")
	}
}

func TestServerErrorHidesCause(t *testing.T) {
	cause := errors.New("pq: relation \"clients\" does not exist")
	e := ServerError(cause)
	if e.Description != serverErrorDescription || strings.Contains(e.Description, "clients") {
		t.Errorf("description %q leaks or is not fixed", e.Description)
	}
	if !errors.Is(e, cause) {
		t.Error("cause not reachable through Unwrap")
	}
	if !strings.Contains(e.Error(), "does not exist") {
		t.Errorf("Error() = %q; the log should see the cause", e.Error())
	}
}

func TestConstructorsSanitizeDescription(t *testing.T) {
	e := InvalidRequest("bad \"x\"\n\\y\x00é")
	if want := "bad 'x' /y??"; e.Description != want {
		t.Errorf("Description = %q, want %q", e.Description, want)
	}
}

func TestFromError(t *testing.T) {
	grant := InvalidGrant("code used")
	tests := []struct {
		name string
		err  error
		want ErrorCode
	}{
		{"nil", nil, ""},
		{"direct", grant, CodeInvalidGrant},
		{"wrapped", fmt.Errorf("token: %w", grant), CodeInvalidGrant},
		{"plain error", errors.New("disk full"), CodeServerError},
		{"typed nil", (*Error)(nil), CodeServerError},
		{"hand-built without a code", &Error{Description: "x"}, CodeServerError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CodeOf(tt.err); got != tt.want {
				t.Errorf("CodeOf = %q, want %q", got, tt.want)
			}
		})
	}
	if e := FromError((*Error)(nil)); e.Error() == "" {
		t.Error("a typed nil must still describe itself")
	}
	if e := FromError(errors.New("disk full")); !strings.Contains(e.Error(), "disk full") ||
		strings.Contains(e.Description, "disk") {
		t.Errorf("plain error: %v / %q", e, e.Description)
	}
}

func TestSanitizeDescription(t *testing.T) {
	long := strings.Repeat("a", 1000)
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain text!", "plain text!"},
		{`quote " and backslash \`, `quote ' and backslash /`},
		{"tab\tnewline\ncr\r", "tab newline cr "},
		{"nul\x00del\x7fbell\a", "nul?del?bell?"},
		{"ünïcødé", "?n?c?d?"},
		{"bad utf8 \xff\xfe", "bad utf8 ??"},
		{"<script>&{}~#", "<script>&{}~#"},
		{long, strings.Repeat("a", maxDescriptionLen-3) + "..."},
	}
	for _, tt := range tests {
		got := SanitizeDescription(tt.in)
		if got != tt.want {
			t.Errorf("SanitizeDescription(%.20q) = %.40q, want %.40q", tt.in, got, tt.want)
		}
		for i := 0; i < len(got); i++ {
			if c := got[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
				t.Errorf("output %q contains forbidden byte %#x", got, c)
			}
		}
	}
}

func TestStatusOfRefusesSuccessStatus(t *testing.T) {
	tests := []struct {
		e    *Error
		want int
	}{
		{&Error{Code: CodeInvalidRequest}, http.StatusBadRequest},
		{&Error{Code: CodeInvalidRequest, Status: 200}, http.StatusBadRequest},
		{&Error{Code: CodeServerError, Status: 302}, http.StatusInternalServerError},
		{&Error{Code: CodeInvalidClient, Status: 401}, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		if got := statusOf(tt.e); got != tt.want {
			t.Errorf("statusOf(%+v) = %d, want %d", tt.e, got, tt.want)
		}
	}
}
