package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// object is a JSON object whose keys are lower-cased: SCIM attribute names
// are case-insensitive (RFC 7643 §2.1), and clients do differ ("Operations"
// and "operations", "emails" and "Emails").
type object map[string]json.RawMessage

// readObject reads the request's JSON object. The body is already bounded
// (httpx.LimitBody); a media type other than SCIM's or plain JSON is refused.
func readObject(r *http.Request) (object, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/scim+json" && mt != "application/json") {
		return nil, fail(http.StatusUnsupportedMediaType, "",
			"send the body as application/scim+json (or application/json)")
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, classify(fmt.Errorf("read body: %w", err))
	}
	return parseObject(raw)
}

// readBody reads the request's JSON object as what parse makes of it: a
// resource, or a PATCH's operations.
func readBody[T any](r *http.Request, parse func(object) (T, error)) (T, error) {
	o, err := readObject(r)
	if err != nil {
		var zero T
		return zero, err
	}
	return parse(o)
}

// parseObject decodes raw as one JSON object, refusing trailing data and a
// key given twice (in any case): which of two values holds is not for this
// server to guess.
func parseObject(raw []byte) (object, error) {
	var m map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, badRequest(invalidSyntax, "the body is not a JSON object")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, badRequest(invalidSyntax, "the body has data after its JSON object")
	}
	return lowerKeys(m)
}

func lowerKeys(m map[string]json.RawMessage) (object, error) {
	o := make(object, len(m))
	for k, v := range m {
		lk := strings.ToLower(k)
		if _, dup := o[lk]; dup {
			return nil, badRequest(invalidSyntax, "attribute %q is given twice", k)
		}
		o[lk] = v
	}
	return o, nil
}

// asObject decodes v as a JSON object.
func asObject(name string, v json.RawMessage) (object, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(v, &m); err != nil || m == nil {
		return nil, badRequest(invalidValue, "%s must be an object", name)
	}
	return lowerKeys(m)
}

// asString decodes v as a string; null is "".
func asString(name string, v json.RawMessage) (string, error) {
	if isNull(v) {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", badRequest(invalidValue, "%s must be a string", name)
	}
	return s, nil
}

// asBool decodes a boolean, or the string booleans Entra ID sends in
// PATCH values ("True", "False").
func asBool(name string, v json.RawMessage) (bool, error) {
	var b bool
	if err := json.Unmarshal(v, &b); err == nil {
		return b, nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, badRequest(invalidValue, "%s must be a boolean", name)
}

// asArray decodes v as an array; null is empty.
func asArray(name string, v json.RawMessage) ([]json.RawMessage, error) {
	if isNull(v) {
		return nil, nil
	}
	var a []json.RawMessage
	if err := json.Unmarshal(v, &a); err != nil {
		return nil, badRequest(invalidValue, "%s must be an array", name)
	}
	return a, nil
}

func isNull(v json.RawMessage) bool {
	return len(bytes.TrimSpace(v)) == 0 || string(bytes.TrimSpace(v)) == "null"
}

// checkSchemas requires the resource's schemas to hold want and nothing
// this server does not know for the resource.
func checkSchemas(o object, want string, allowed ...string) error {
	v, ok := o["schemas"]
	if !ok {
		return badRequest(invalidSyntax, "schemas is required and must include %q", want)
	}
	var ss []string
	if err := json.Unmarshal(v, &ss); err != nil {
		return badRequest(invalidSyntax, "schemas must be an array of strings")
	}
	found := false
	for _, s := range ss {
		switch {
		case strings.EqualFold(s, want):
			found = true
		case !containsFold(allowed, s):
			return badRequest(invalidValue, "schema %q is not one this resource has", s)
		}
	}
	if !found {
		return badRequest(invalidSyntax, "schemas must include %q", want)
	}
	return nil
}

func containsFold(list []string, s string) bool {
	for _, l := range list {
		if strings.EqualFold(l, s) {
			return true
		}
	}
	return false
}
