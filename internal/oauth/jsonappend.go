package oauth

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
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
		if !jsonPlain[s[i]] {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// jsonPlain marks the bytes encoding/json copies into a string unescaped:
// printable ASCII but the quote, the backslash and HTML's <, > and &. One
// table load per byte instead of seven comparisons: a token response
// checks its three tokens, some 2 KB, byte by byte.
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = true
	}
	for _, c := range `"\<>&` {
		t[c] = false
	}
	return t
}()

// AppendJSONValue appends v as encoding/json.Marshal writes it when v is a
// string, bool, int64 or []string; ok is false, and nothing is appended,
// for any other type.
func AppendJSONValue(b []byte, v any) ([]byte, bool) {
	switch v := v.(type) {
	case string:
		return AppendJSONString(b, v), true
	case bool:
		return strconv.AppendBool(b, v), true
	case int64:
		return strconv.AppendInt(b, v, 10), true
	case []string:
		return AppendJSONStrings(b, v), true
	}
	return b, false
}

// AppendJSONStrings appends l as encoding/json.Marshal writes a []string:
// an array, or null for a nil slice.
func AppendJSONStrings(b []byte, l []string) []byte {
	if l == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range l {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendJSONString(b, s)
	}
	return append(b, ']')
}

// WriteTokenBody is WriteTokenJSON for a body already encoded.
func WriteTokenBody(w http.ResponseWriter, body []byte) error {
	tokenHeaders(w.Header())
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(body)
	return err
}

// WriteTokenMap is WriteTokenJSON for a map of claims (userinfo): keys
// sorted and values written as encoding/json writes them, by hand when
// every value is a string, bool, int64 or []string, else by encoding/json.
func WriteTokenMap(w http.ResponseWriter, m map[string]any) error {
	if body, ok := appendMap(make([]byte, 0, 512), m); ok {
		return WriteTokenBody(w, body)
	}
	return WriteTokenJSON(w, m)
}

func appendMap(b []byte, m map[string]any) ([]byte, bool) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys) // encoding/json's order: by bytes
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(AppendJSONString(b, k), ':')
		var ok bool
		if b, ok = AppendJSONValue(b, m[k]); !ok {
			return nil, false
		}
	}
	return append(b, '}'), true
}
