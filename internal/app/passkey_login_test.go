package app_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/testenv"
)

var passkeyState = regexp.MustCompile(`name="state" value="([^"]+)"`)

// assertionFor is a well-formed WebAuthn assertion for credential id that
// no authenticator made: it parses, and proves nothing.
func assertionFor(id, origin string) string {
	b64 := base64.RawURLEncoding
	cd, _ := json.Marshal(map[string]string{"type": "webauthn.get", "challenge": b64.EncodeToString([]byte("a challenge of ours?")), "origin": origin})
	rp := sha256.Sum256([]byte("localhost"))
	ad := append(rp[:], 0x05, 0, 0, 0, 9)
	out, _ := json.Marshal(map[string]any{"id": b64.EncodeToString([]byte(id)), "rawId": b64.EncodeToString([]byte(id)),
		"type": "public-key", "response": map[string]string{"clientDataJSON": b64.EncodeToString(cd),
			"authenticatorData": b64.EncodeToString(ad), "signature": b64.EncodeToString([]byte("not a signature")),
			"userHandle": b64.EncodeToString([]byte("someone"))}})
	return string(out)
}

// TestPasskeySignInRefusals is /login/passkey's bad input over HTTP: a
// forged form token, a response that is not one, a forged assertion, a
// spent state; then guessing is throttled like passwords, and what does not
// parse costs no guess.
func TestPasskeySignInRefusals(t *testing.T) {
	s := testenv.Start(t, testenv.SQLite, nil)
	c := s.Client(t)
	try := func(credential string, fresh bool, state string) (int, string, string) {
		t.Helper()
		_, body, token := page(t, c, s.URL, "/login")
		m := passkeyState.FindStringSubmatch(body)
		if m == nil || !strings.Contains(body, `autocomplete="username webauthn"`) || !strings.Contains(body, "Sign in with a passkey") {
			t.Fatalf("email step offers no passkey:\n%s", body)
		}
		if fresh {
			state = m[1]
		}
		st, b, _ := readPage(t, post(t, c, s.URL, "/login/passkey", url.Values{"csrf_token": {token}, "state": {state},
			"credential": {credential}, "return_to": {"/login"}}))
		return st, b, m[1]
	}
	page(t, c, s.URL, "/login") // the browser has its form-token cookie
	if resp := post(t, c, s.URL, "/login/passkey", url.Values{"csrf_token": {"forged"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("forged form token: %d", resp.StatusCode)
	}
	for range 8 { // more than the burst: a malformed response costs no guess
		if st, body, _ := try(`{"id":`, true, ""); st != http.StatusUnprocessableEntity || !strings.Contains(body, "not a passkey") {
			t.Fatalf("malformed: %d\n%s", st, body)
		}
	}
	forged := assertionFor("no-such-credential", s.URL)
	st, body, used := try(forged, true, "")
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, "could not be accepted") || sessionCookie(c, s.URL) != nil {
		t.Fatalf("forged assertion: %d\n%s", st, body)
	}
	if st, body, _ := try(forged, false, used); st != http.StatusUnprocessableEntity || !strings.Contains(body, "waited too long") {
		t.Fatalf("spent state: %d\n%s", st, body)
	}
	for i := 2; i < 5; i++ {
		if st, _, _ := try(forged, true, ""); st != http.StatusUnprocessableEntity {
			t.Fatalf("guess %d: %d", i+1, st)
		}
	}
	if st, body, _ := try(forged, true, ""); st != http.StatusTooManyRequests || !strings.Contains(body, "Too many tries") {
		t.Fatalf("sixth guess: %d\n%s", st, body)
	}
	if strings.Contains(s.Logs.String(), "not a signature") {
		t.Fatal("the response reached the log")
	}
}
