package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/store"
)

// decode reads one JSON object into v, strictly: an unknown field is an
// error naming it (a misspelt "redirect_uri" must not silently do nothing),
// and so is anything after the object.
func decode(r *http.Request, v any) error {
	if err := wantType(r, "application/json"); err != nil {
		return err
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return bodyError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return invalid("body", "must hold exactly one JSON object")
	}
	return nil
}

// bodyError words a decoding failure for the caller, without echoing the
// body back.
func bodyError(err error) error {
	var tooBig *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooBig):
		return classify(err)
	case errors.As(err, &typeErr):
		return invalid(typeErr.Field, "must be of type "+typeErr.Type.String())
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return invalid(field, "is not a known field")
	case errors.Is(err, io.EOF):
		return invalid("body", "is empty; send a JSON object")
	}
	return invalid("body", "is not valid JSON").WithCause(err)
}

// wantType refuses a body of another media type with 415.
func wantType(r *http.Request, want string) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != want {
		return &httpx.Error{Status: http.StatusUnsupportedMediaType, Message: fmt.Sprintf("send the body as %s", want)}
	}
	return nil
}

// pageQuery reads ?limit and ?after, the pagination every list shares.
func pageQuery(r *http.Request) (limit int, after string, err error) {
	q := r.URL.Query()
	if s := q.Get("limit"); s != "" {
		n, convErr := strconv.Atoi(s)
		if convErr != nil || n < 1 || n > store.MaxLimit {
			return 0, "", invalid("limit", fmt.Sprintf("must be a whole number from 1 to %d", store.MaxLimit))
		}
		limit = n
	}
	return limit, q.Get("after"), nil
}

// created answers 201 with v.
func created(w http.ResponseWriter, v any) error {
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func ok(w http.ResponseWriter, v any) error {
	writeJSON(w, http.StatusOK, v)
	return nil
}

func noContent(w http.ResponseWriter) error {
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	return nil
}
