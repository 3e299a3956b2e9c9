package oauth

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
)

// Client authentication methods (OpenID Connect Discovery
// token_endpoint_auth_methods_supported values).
const (
	AuthMethodClientSecretBasic = "client_secret_basic"
	AuthMethodClientSecretPost  = "client_secret_post"
	AuthMethodNone              = "none" // public client: client_id only
	// AuthMethodPrivateKeyJWT: a JWT the client signs with its key (RFC 7523
	// §2.2); ClientCredentials returns it in place of a secret.
	AuthMethodPrivateKeyJWT = "private_key_jwt"
	// AssertionTypeJWT is the client_assertion_type of RFC 7523 §2.2.
	AssertionTypeJWT = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
)

// TokenAuthMethods are the methods a confidential client may register, in
// the order discovery lists them (a public client uses AuthMethodNone):
// the one list discovery, client validation, the CLI's help and the
// console's form read.
var TokenAuthMethods = []string{AuthMethodClientSecretBasic, AuthMethodClientSecretPost, AuthMethodPrivateKeyJWT}

// Generous bounds on credentials: Guildgate's own are a UUID and a 43-byte
// secret, and nothing longer is worth comparing.
const (
	maxClientIDLen     = 255
	maxClientSecretLen = 1024
	maxAssertionLen    = 8 << 10 // a signed JWT, perhaps with a certificate chain
)

// ClientCredentials extracts the client's credentials from a token-endpoint
// style request (RFC 6749 §2.3.1). It reports what the client presented;
// whether that suffices for the client (a confidential client must not use
// "none") is for the caller, which knows the client.
//
//   - client_secret_basic: the Authorization header's id and secret are each
//     form-urlencoded before base64, so both are decoded (a '+' is a space,
//     "%3A" a colon). A malformed header is invalid_client.
//   - client_secret_post: client_id and client_secret in the request body,
//     never the URL.
//   - none: client_id in the body and no secret.
//
// Using both methods at once (RFC 6749 §2.3: "MUST NOT use more than one
// authentication method"), or a body client_id that names another client
// than the header, is invalid_request. Client ids compare case-insensitively,
// as the product contract says.
func ClientCredentials(r *http.Request) (id, secret, method string, err error) {
	form, err := bodyForm(r)
	if err != nil {
		return "", "", "", err
	}
	if form.Has("client_assertion") || form.Has("client_assertion_type") {
		return assertionCredentials(r, form)
	}
	if r.Header.Get("Authorization") != "" {
		return basicCredentials(r, form)
	}
	return formCredentials(form)
}

// assertionCredentials reads a client assertion (RFC 7523 §2.2, RFC 7521
// §4.2). The assertion comes back as the "secret"; id is the body's
// client_id, "" when absent (the assertion's sub then names the client).
func assertionCredentials(r *http.Request, form url.Values) (string, string, string, error) {
	id, assertion := form.Get("client_id"), form.Get("client_assertion")
	switch {
	case r.Header.Get("Authorization") != "" || form.Has("client_secret"):
		return "", "", "", InvalidRequest("Use one client authentication method: a client assertion and a secret were both sent.")
	case form.Get("client_assertion_type") != AssertionTypeJWT:
		return "", "", "", InvalidClient("client_assertion_type must be " + AssertionTypeJWT + ".")
	case assertion == "":
		return "", "", "", InvalidClient("client_assertion is missing.")
	case len(assertion) > maxAssertionLen:
		return "", "", "", InvalidClient("client_assertion is too long.")
	}
	if err := SingleValues(form, "client_assertion", "client_assertion_type"); err != nil {
		return "", "", "", err
	}
	if err := checkCredentialText(id, "", InvalidRequest); err != nil {
		return "", "", "", err
	}
	return id, assertion, AuthMethodPrivateKeyJWT, nil
}

// bodyForm returns the request body parameters, refusing credentials in the
// URL, where they would be logged, and repeated credential parameters.
func bodyForm(r *http.Request) (url.Values, error) {
	if err := r.ParseForm(); err != nil {
		// No cause kept: the parser's message quotes the body, which may
		// hold a secret, and nothing that does may reach a log.
		return nil, InvalidRequest("The request body is not a valid form.")
	}
	if r.URL != nil && r.URL.RawQuery != "" { // most have none, and parsing builds a map
		q := r.URL.Query()
		if q.Has("client_secret") || q.Has("client_id") {
			return nil, InvalidRequest("Client credentials must be sent in the request body, not the URL.")
		}
	}
	if err := SingleValues(r.PostForm, "client_id", "client_secret"); err != nil {
		return nil, err
	}
	return r.PostForm, nil
}

func basicCredentials(r *http.Request, form url.Values) (string, string, string, error) {
	if len(r.Header.Values("Authorization")) > 1 {
		return "", "", "", InvalidRequest("The Authorization header is sent more than once.")
	}
	id, secret, err := parseBasic(r.Header.Get("Authorization"))
	if err != nil {
		return "", "", "", err
	}
	if form.Has("client_secret") {
		return "", "", "", InvalidRequest("Use one client authentication method: the secret was sent in both the Authorization header and the body.")
	}
	if form.Has("client_id") && !strings.EqualFold(form.Get("client_id"), id) {
		return "", "", "", InvalidRequest("The client_id in the body differs from the one in the Authorization header.")
	}
	return id, secret, AuthMethodClientSecretBasic, nil
}

// parseBasic decodes `Basic base64(urlencode(id) ":" urlencode(secret))`.
func parseBasic(header string) (id, secret string, err error) {
	scheme, encoded, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return "", "", InvalidClient("Client authentication must use the Basic scheme.")
	}
	raw, ok := decodeBase64(strings.TrimSpace(encoded))
	if !ok {
		return "", "", InvalidClient("The Basic credentials are not valid base64.")
	}
	rawID, rawSecret, ok := strings.Cut(raw, ":")
	if !ok {
		return "", "", InvalidClient("The Basic credentials have no ':' between client id and secret.")
	}
	id, err1 := url.QueryUnescape(rawID)
	secret, err2 := url.QueryUnescape(rawSecret)
	if err1 != nil || err2 != nil {
		return "", "", InvalidClient("The Basic credentials are not form-urlencoded as RFC 6749 section 2.3.1 requires.")
	}
	if id == "" || secret == "" {
		return "", "", InvalidClient("The Basic credentials have an empty client id or secret.")
	}
	return id, secret, checkCredentialText(id, secret, InvalidClient)
}

// decodeBase64 accepts padded and unpadded standard base64: some clients
// drop the padding, and both spellings carry the same bytes.
func decodeBase64(s string) (string, bool) {
	if b, err := base64.StdEncoding.Strict().DecodeString(s); err == nil {
		return string(b), true
	}
	if b, err := base64.RawStdEncoding.Strict().DecodeString(s); err == nil {
		return string(b), true
	}
	return "", false
}

func formCredentials(form url.Values) (string, string, string, error) {
	id, secret := form.Get("client_id"), form.Get("client_secret")
	switch {
	case !form.Has("client_id") && !form.Has("client_secret"):
		return "", "", "", InvalidClient("Client authentication is required.")
	case id == "":
		return "", "", "", InvalidRequest("client_id is required.")
	case form.Has("client_secret") && secret == "":
		return "", "", "", InvalidRequest("client_secret is empty; omit it for a public client.")
	}
	if err := checkCredentialText(id, secret, InvalidRequest); err != nil {
		return "", "", "", err
	}
	if secret == "" {
		return id, "", AuthMethodNone, nil
	}
	return id, secret, AuthMethodClientSecretPost, nil
}

// checkCredentialText bounds the credentials and keeps control characters
// out of the client id, which callers log.
func checkCredentialText(id, secret string, fail func(string) *Error) error {
	if len(id) > maxClientIDLen || len(secret) > maxClientSecretLen {
		return fail("The client credentials are too long.")
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x20 || id[i] == 0x7f {
			return fail("The client id contains control characters.")
		}
	}
	return nil
}
