package oauth

import (
	"slices"
	"strings"
)

// ResponseType is a response_type value in canonical form: its components in
// the order code, id_token, token, separated by one space.
type ResponseType string

// The response types Guildgate offers (OpenID Connect Core §3, OAuth 2.0
// Multiple Response Type Encoding Practices §5). A bare "token" is not among
// them: it returns no ID token and no code, which OpenID Connect does not use.
const (
	ResponseTypeCode             ResponseType = "code"
	ResponseTypeIDToken          ResponseType = "id_token"
	ResponseTypeIDTokenToken     ResponseType = "id_token token"
	ResponseTypeCodeIDToken      ResponseType = "code id_token"
	ResponseTypeCodeToken        ResponseType = "code token"
	ResponseTypeCodeIDTokenToken ResponseType = "code id_token token"
	ResponseTypeNone             ResponseType = "none"
)

// OfferedResponseTypes is what discovery publishes: every response type
// but "none", which is accepted (OAuth 2.0 Multiple Response Type Encoding
// Practices §4) but returns nothing a relying party would ask for by name.
// Read it; never append to it.
var OfferedResponseTypes = []ResponseType{
	ResponseTypeCode, ResponseTypeIDToken, ResponseTypeIDTokenToken, ResponseTypeCodeIDToken,
	ResponseTypeCodeToken, ResponseTypeCodeIDTokenToken,
}

var supportedResponseTypes = slices.Concat(OfferedResponseTypes, []ResponseType{ResponseTypeNone})

// componentOrder fixes the canonical order; its keys are the known components.
var componentOrder = map[string]int{"code": 0, "id_token": 1, "token": 2, "none": 3}

// ParseResponseType parses a space-delimited response_type. Components may
// come in any order ("id_token code" is "code id_token", RFC 6749 §3.1.1);
// an empty component or a repeated one is invalid_request, and a combination
// Guildgate does not offer is unsupported_response_type.
func ParseResponseType(s string) (ResponseType, error) {
	if s == "" {
		return "", InvalidRequest("response_type is required.")
	}
	parts := strings.Split(s, " ")
	seen := make(map[string]bool, len(parts))
	for _, p := range parts {
		if p == "" {
			return "", InvalidRequest("response_type has an empty value: separate values with a single space.")
		}
		if _, known := componentOrder[p]; !known {
			return "", UnsupportedResponseType("response_type contains a value that is not supported.")
		}
		if seen[p] {
			return "", InvalidRequest("response_type repeats the value " + p + ".")
		}
		seen[p] = true
	}
	slices.SortFunc(parts, func(a, b string) int { return componentOrder[a] - componentOrder[b] })
	rt := ResponseType(strings.Join(parts, " "))
	if !slices.Contains(supportedResponseTypes, rt) {
		return "", UnsupportedResponseType("response_type " + string(rt) + " is not supported.")
	}
	return rt, nil
}

// ReturnsCode reports whether the response carries an authorization code.
func (rt ResponseType) ReturnsCode() bool { return rt.has("code") }

// ReturnsIDToken reports whether the response carries an ID token.
func (rt ResponseType) ReturnsIDToken() bool { return rt.has("id_token") }

// ReturnsAccessToken reports whether the response carries an access token.
func (rt ResponseType) ReturnsAccessToken() bool { return rt.has("token") }

// returnsTokens is what decides the encoding: tokens must never travel in a
// query string, where logs, proxies and Referer headers keep them.
func (rt ResponseType) returnsTokens() bool {
	return rt.ReturnsIDToken() || rt.ReturnsAccessToken()
}

func (rt ResponseType) has(component string) bool {
	return slices.Contains(strings.Split(string(rt), " "), component)
}

// GrantType is a grant_type value accepted at the token endpoint.
type GrantType string

// The grants Guildgate implements.
const (
	GrantAuthorizationCode GrantType = "authorization_code"
	GrantRefreshToken      GrantType = "refresh_token"
	GrantClientCredentials GrantType = "client_credentials"
	// GrantDeviceCode redeems a device code (RFC 8628 §3.4).
	GrantDeviceCode GrantType = "urn:ietf:params:oauth:grant-type:device_code"
)

// ParseGrantType returns the grant type, or unsupported_grant_type.
func ParseGrantType(s string) (GrantType, error) {
	switch g := GrantType(s); g {
	case GrantAuthorizationCode, GrantRefreshToken, GrantClientCredentials, GrantDeviceCode:
		return g, nil
	case "":
		return "", InvalidRequest("grant_type is required.")
	default:
		return "", UnsupportedGrantType("grant_type is not supported; use authorization_code, refresh_token, client_credentials or " + string(GrantDeviceCode) + ".")
	}
}
