package tokens

import (
	"strconv"

	"github.com/guildgate/guildgate/internal/oauth"
)

// appendJSON writes the claims as encoding/json writes accessWire (fields
// in order, empty optional ones left out) without reflection: every grant
// signs one access token (TestAccessWireJSONMatchesEncodingJSON).
func (w accessWire) appendJSON(b []byte) []byte {
	b = append(b, `{"iss":`...)
	b = oauth.AppendJSONString(b, w.Iss)
	b = append(b, `,"sub":`...)
	b = oauth.AppendJSONString(b, w.Sub)
	b = append(b, `,"aud":`...)
	b = oauth.AppendJSONString(b, w.Aud)
	b = append(b, `,"exp":`...)
	b = strconv.AppendInt(b, w.Exp, 10)
	b = append(b, `,"iat":`...)
	b = strconv.AppendInt(b, w.Iat, 10)
	b = append(b, `,"jti":`...)
	b = oauth.AppendJSONString(b, w.Jti)
	b = append(b, `,"client_id":`...)
	b = oauth.AppendJSONString(b, w.ClientID)
	b = appendOptional(b, `,"scope":`, w.Scope)
	if w.AuthTime != 0 {
		b = strconv.AppendInt(append(b, `,"auth_time":`...), w.AuthTime, 10)
	}
	b = appendOptional(b, `,"gid":`, w.GrantID)
	b = appendOptional(b, `,"sid":`, w.SessionID)
	if w.Cnf != nil {
		b = append(oauth.AppendJSONString(append(b, `,"cnf":{"jkt":`...), w.Cnf.JKT), '}')
	}
	return append(b, '}')
}

func appendOptional(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	return oauth.AppendJSONString(append(b, name...), v)
}
