package oidc

import (
	"strconv"

	"github.com/guildgate/guildgate/internal/oauth"
)

// appendJSON writes the token response as encoding/json writes
// tokenResponse (fields in order, empty optional ones left out) without
// reflection: every grant answers through it.
func (r tokenResponse) appendJSON(b []byte) []byte {
	b = append(b, `{"access_token":`...)
	b = oauth.AppendJSONString(b, r.AccessToken)
	b = append(b, `,"token_type":`...)
	b = oauth.AppendJSONString(b, r.TokenType)
	b = append(b, `,"expires_in":`...)
	b = strconv.AppendInt(b, r.ExpiresIn, 10)
	b = appendOptional(b, `,"refresh_token":`, r.RefreshToken)
	b = appendOptional(b, `,"id_token":`, r.IDToken)
	b = appendOptional(b, `,"scope":`, r.Scope)
	return append(b, '}')
}

// jsonSize is room for appendJSON's output without growing the buffer
// (string values rarely need escaping; when one does, append grows it).
func (r tokenResponse) jsonSize() int {
	return len(`{"access_token":"","token_type":"","expires_in":12345678901,"refresh_token":"","id_token":"","scope":""}`) +
		len(r.AccessToken) + len(r.TokenType) + len(r.RefreshToken) + len(r.IDToken) + len(r.Scope) + 12
}

func appendOptional(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	return oauth.AppendJSONString(append(b, name...), v)
}
