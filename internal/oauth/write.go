package oauth

import (
	"encoding/json"
	"net/http"

	"github.com/guildgate/guildgate/internal/httpx"
)

// errorBody is the RFC 6749 §5.2 error response.
type errorBody struct {
	Error            ErrorCode `json:"error"`
	ErrorDescription string    `json:"error_description,omitempty"`
}

// WriteJSON writes err as an RFC 6749 §5.2 JSON error response, the form used
// by the token, revocation and introspection endpoints. Errors other than
// *Error are written as server_error with the fixed description. The
// WWW-Authenticate header comes from the Error's Challenge (Basic for
// invalid_client, Bearer for invalid_token and insufficient_scope).
func WriteJSON(w http.ResponseWriter, err error) {
	e := FromError(err)
	if e == nil {
		e = ServerError(nil)
	}
	writeError(w, e, e.Challenge)
}

// WriteBearerError writes err for a bearer-protected resource such as the
// UserInfo endpoint. RFC 6750 §3.1 (and OpenID Connect Core §5.3.3) put the
// error in a Bearer challenge on every 4xx, not only on invalid_token, so
// this variant adds one when the Error has none. A request that carried no
// credentials (BearerTokenRequired) gets only `Bearer realm="…"` and no body.
func WriteBearerError(w http.ResponseWriter, err error) {
	e := FromError(err)
	if e == nil {
		e = ServerError(nil)
	}
	challenge := e.Challenge
	if challenge == "" && statusOf(e) < 500 {
		challenge = bearerChallenge(e, "")
	}
	writeError(w, e, challenge)
}

func writeError(w http.ResponseWriter, e *Error, challenge string) {
	h := w.Header()
	noStore(h)
	if challenge != "" {
		h.Set("WWW-Authenticate", challenge)
	}
	if e.bare {
		w.WriteHeader(statusOf(e))
		return
	}
	body, _ := json.Marshal(errorBody{ // cannot fail: two strings
		Error:            e.Code,
		ErrorDescription: SanitizeDescription(e.Description),
	})
	h.Set("Content-Type", "application/json")
	w.WriteHeader(statusOf(e))
	_, _ = w.Write(body)
}

// WriteTokenJSON writes a successful token (or introspection) response with
// the no-store headers RFC 6749 §5.1 requires. v is encoded before anything
// is written, so an encoding failure still produces a clean server_error.
func WriteTokenJSON(w http.ResponseWriter, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		WriteJSON(w, ServerError(err))
		return err
	}
	tokenHeaders(w.Header())
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(body)
	return err
}

// noStore forbids caching of token responses and of errors about credentials.
func noStore(h http.Header) {
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
}

// tokenHeaders is noStore and the JSON Content-Type of a successful token
// response, its three values in one array (httpx.SetShared).
func tokenHeaders(h http.Header) {
	v := &[3]string{"no-store", "no-cache", "application/json"}
	httpx.SetShared(h, tokenHeaderKeys[:], v[:])
}

var tokenHeaderKeys = [3]string{"Cache-Control", "Pragma", "Content-Type"}
