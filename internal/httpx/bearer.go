package httpx

import (
	"net/http"
	"strings"
)

// Bearer is the token of the request's one Authorization header with the
// Bearer scheme (RFC 6750 §2.1); false when there is none, more than one
// header, another scheme or an empty token.
func Bearer(r *http.Request) (string, bool) {
	vals := r.Header.Values("Authorization")
	if len(vals) != 1 {
		return "", false
	}
	scheme, token, ok := strings.Cut(vals[0], " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// Authenticated is the route of a surface that takes bearer credentials (the
// admin API, SCIM): authenticate finds who calls, fn answers with it, and
// classify turns either's error into the surface's own form before ew
// writes it.
func Authenticated[C any](ew *ErrorWriter, authenticate func(*http.Request) (C, error), classify func(error) *Error,
	fn func(http.ResponseWriter, *http.Request, C) error) http.Handler {
	return ew.Handle(func(w http.ResponseWriter, r *http.Request) error {
		c, err := authenticate(r)
		if err != nil {
			return classify(err)
		}
		if err := fn(w, r, c); err != nil {
			return classify(err)
		}
		return nil
	})
}
