package bench

import (
	"encoding/base64"
	"testing"
)

func TestSignedES256(t *testing.T) {
	jwt := func(header string) string {
		return base64.RawURLEncoding.EncodeToString([]byte(header)) + ".e30.c2ln"
	}
	if err := signedES256(jwt(`{"alg":"ES256","typ":"at+jwt","kid":"k"}`)); err != nil {
		t.Errorf("an ES256 JWT: %v", err)
	}
	for name, token := range map[string]string{
		"opaque":      "Jr6fGmzq0bUNa3Lz9Jf8tO7VyE2hXwQ4",
		"RS256":       jwt(`{"alg":"RS256","typ":"at+jwt"}`),
		"no alg":      jwt(`{"typ":"at+jwt"}`),
		"not base64":  "%%%.e30.c2ln",
		"not JSON":    jwt(`ES256`),
		"empty token": "",
	} {
		if err := signedES256(token); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
