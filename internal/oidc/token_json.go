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

func appendOptional(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	return oauth.AppendJSONString(append(b, name...), v)
}
