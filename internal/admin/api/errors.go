package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/store"
)

// Error codes. They are part of the API: scripts branch on them, so a code
// never changes meaning. Each HTTP status maps to exactly one code.
var codes = map[int]string{
	http.StatusBadRequest:            "invalid_input",
	http.StatusUnauthorized:          "unauthorized",
	http.StatusForbidden:             "forbidden",
	http.StatusNotFound:              "not_found",
	http.StatusConflict:              "conflict",
	http.StatusRequestEntityTooLarge: "payload_too_large",
	http.StatusUnsupportedMediaType:  "unsupported_media_type",
	http.StatusInternalServerError:   "internal_error",
}

func codeFor(status int) string {
	if c, ok := codes[status]; ok {
		return c
	}
	return "internal_error"
}

// errorBody is every error response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code      string         `json:"code"`
	Message   string         `json:"message"`
	Details   []fieldProblem `json:"details,omitempty"`
	RequestID string         `json:"request_id,omitempty"`
}

// fieldProblem is one problem with one field of the input.
type fieldProblem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func fieldProblems(ps []problem.Problem) []fieldProblem {
	out := make([]fieldProblem, len(ps))
	for i, p := range ps {
		out[i] = fieldProblem{Field: p.Field, Message: p.Message}
	}
	return out
}

func unauthorized(msg string) *httpx.Error {
	return &httpx.Error{Status: http.StatusUnauthorized, Message: msg}
}

func forbidden(msg string) *httpx.Error { return httpx.Forbidden(msg) }
func notFound(msg string) *httpx.Error  { return httpx.NotFound(msg) }

func invalid(field, msg string) *httpx.Error {
	return classify(&problem.Invalid{Problems: []problem.Problem{{Field: field, Message: msg}}})
}

// classify gives an error its HTTP form. The services' problem kinds carry
// messages written for the person who sent the input, so they are shown;
// anything else becomes a 500 whose message is fixed.
func classify(err error) *httpx.Error {
	var e *httpx.Error
	switch {
	case errors.As(err, &e):
		return e
	case errors.Is(err, store.ErrInvalidCursor):
		return (&httpx.Error{Status: http.StatusBadRequest, Message: "after: not a cursor this API issued"}).WithCause(err)
	}
	if inv, ok := errors.AsType[*problem.Invalid](err); ok {
		return (&httpx.Error{Status: http.StatusBadRequest, Message: inv.Error()}).WithCause(err)
	}
	if nf, ok := errors.AsType[*problem.NotFound](err); ok {
		return httpx.NotFound(nf.Error()).WithCause(err)
	}
	if c, ok := errors.AsType[*problem.Conflict](err); ok {
		return (&httpx.Error{Status: http.StatusConflict, Message: c.Error()}).WithCause(err)
	}
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return (&httpx.Error{Status: http.StatusRequestEntityTooLarge, Message: "the request body is too large"}).WithCause(err)
	}
	return httpx.Internal(err)
}

// jsonErrors renders errors as errorBody. It reads the cause only for the
// per-field details of invalid input, never to print it.
type jsonErrors struct{}

func (jsonErrors) RenderError(w http.ResponseWriter, r *http.Request, e *httpx.Error) {
	d := errorDetail{Code: codeFor(e.Status), Message: e.Message}
	if e.Status >= http.StatusInternalServerError {
		d.Message, d.RequestID = "internal error; quote the request id to your operator", httpx.RequestIDFrom(r.Context())
	}
	if inv, ok := errors.AsType[*problem.Invalid](e.Cause); ok && e.Status == http.StatusBadRequest {
		d.Details = fieldProblems(inv.Problems)
	}
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="guildgate admin API"`)
	}
	writeJSON(w, e.Status, errorBody{Error: d})
}

// writeJSON sends v. API responses hold client secrets and member data, so
// no cache may keep them.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // the status is sent; a failed write is the client's broken connection
}
