package oidc

import (
	"testing"
	"time"
)

// FuzzRequestObjectClaims: no verified payload panics the claim checks or
// the conversion to parameters, and what converts never nests a request or
// carries a sign-in marker.
func FuzzRequestObjectClaims(f *testing.F) {
	f.Add(`{"iss":"c1","aud":"https://sso.example","client_id":"c1","exp":1800000060,"response_type":"code","max_age":0,"claims":{"userinfo":{}}}`)
	f.Add(`{"aud":["x","https://sso.example"],"client_id":"C1","exp":1e300,"nbf":-1e300}`)
	f.Add(`{"request":"x","client_id":"c1"}`)
	at := time.Unix(1_800_000_000, 0)
	f.Fuzz(func(t *testing.T, payload string) {
		claims, err := decodeRequestObject([]byte(payload))
		if err != nil {
			return
		}
		_ = checkRequestObject(claims, "https://sso.example", "c1", at)
		v, err := requestObjectParams(claims)
		if err == nil && (v.Has("request") || v.Has("request_uri") || v.Has(authResumeParam)) {
			t.Fatalf("converted a nested request: %v", v)
		}
	})
}
