package saml

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkParseAndRespond is one SP-initiated sign-in's protocol work: a
// signed Redirect-binding request checked, then the Response built with its
// Assertion, both signed (RSA 2048, SHA-256).
func BenchmarkParseAndRespond(b *testing.B) {
	e := newEnv(b)
	u, err := e.sp(b, lmsEntity).MakeRedirectAuthenticationRequest("rs")
	if err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, issuer+PathSSO+"?"+u.RawQuery, nil)
	for b.Loop() {
		a, err := e.idp.ParseAuthnRequest(r)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.idp.Response(r, a, Subject{Member: member, Groups: []string{"Staff"}, Session: session}); err != nil {
			b.Fatal(err)
		}
	}
}
