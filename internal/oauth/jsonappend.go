package oauth

import (
	"encoding/json"
	"net/http"
)

// The token endpoint's answers and the access tokens' claims are a handful
// of known fields, written on every request; encoding/json finds them by
// reflection each time. Their writers append the fields by hand instead,
// with the strings escaped exactly as encoding/json escapes them, so the
// bytes do not change.

// AppendJSONString appends s as a JSON string, byte for byte what
// encoding/json.Marshal writes (HTML characters escaped too). Tokens,
// identifiers and scopes are plain ASCII and are copied as they are; any
// other string goes through encoding/json.
func AppendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// WriteTokenBody is WriteTokenJSON for a body already encoded.
func WriteTokenBody(w http.ResponseWriter, body []byte) error {
	h := w.Header()
	noStore(h)
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(body)
	return err
}
