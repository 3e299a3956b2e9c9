package scim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/problem"
)

// The scimType values of RFC 7644 §3.12 this server sends.
const (
	invalidFilter = "invalidFilter"
	tooMany       = "tooMany"
	uniqueness    = "uniqueness"
	mutability    = "mutability"
	invalidSyntax = "invalidSyntax"
	invalidPath   = "invalidPath"
	noTarget      = "noTarget"
	invalidValue  = "invalidValue"
	invalidVers   = "invalidVers"
)

// scimType rides in an *httpx.Error's Cause so the renderer can name it.
type scimType string

func (t scimType) Error() string { return "scim " + string(t) }

// fail builds an error the client sees as detail, with scimType typ ("" for none).
func fail(status int, typ, detail string) *httpx.Error {
	e := &httpx.Error{Status: status, Message: detail}
	if typ != "" {
		e.Cause = scimType(typ)
	}
	return e
}

func badRequest(typ, format string, args ...any) *httpx.Error {
	return fail(http.StatusBadRequest, typ, fmt.Sprintf(format, args...))
}

func notFound(what string) *httpx.Error { return fail(http.StatusNotFound, "", what+" not found") }

// classify gives an error its SCIM form. The services' problems carry
// messages written for whoever sent the input, so they are shown; anything
// else is a 500 whose detail is fixed.
func classify(err error) *httpx.Error {
	if e, ok := errors.AsType[*httpx.Error](err); ok {
		return e
	}
	if inv, ok := errors.AsType[*problem.Invalid](err); ok {
		return &httpx.Error{Status: http.StatusBadRequest, Message: inv.Error(),
			Cause: fmt.Errorf("%w: %w", scimType(invalidValue), err)}
	}
	if nf, ok := errors.AsType[*problem.NotFound](err); ok {
		return httpx.NotFound(nf.Error()).WithCause(err)
	}
	if c, ok := errors.AsType[*problem.Conflict](err); ok {
		return &httpx.Error{Status: http.StatusConflict, Message: c.Error(),
			Cause: fmt.Errorf("%w: %w", scimType(uniqueness), err)}
	}
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return &httpx.Error{Status: http.StatusRequestEntityTooLarge, Message: "the request body is too large",
			Cause: fmt.Errorf("%w: %w", scimType(tooMany), err)}
	}
	return httpx.Internal(err)
}

// errorBody is RFC 7644 §3.12's error response; status is a string there.
type errorBody struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	ScimType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail"`
}

const errorSchema = "urn:ietf:params:scim:api:messages:2.0:Error"

// scimErrors renders every error in SCIM's form. It reads the cause only
// for its scimType, never to print it.
type scimErrors struct{}

func (scimErrors) RenderError(w http.ResponseWriter, r *http.Request, e *httpx.Error) {
	b := errorBody{Schemas: []string{errorSchema}, Status: strconv.Itoa(e.Status), Detail: e.Message}
	if e.Status >= http.StatusInternalServerError {
		b.Detail = "internal error; quote request id " + httpx.RequestIDFrom(r.Context()) + " to the site's operator"
	}
	if t, ok := errors.AsType[scimType](e.Cause); ok {
		b.ScimType = string(t)
	}
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="guildgate SCIM"`)
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds())+1))
	}
	writeJSON(w, e.Status, b)
}

// writeJSON sends v as application/scim+json. Responses hold member data,
// so no cache may keep them.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/scim+json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the status is sent; a failed write is the client's broken connection
}
