// Package tokens mints and checks the JWTs Guildgate hands out: OpenID
// Connect ID tokens, RFC 9068 access tokens, Back-Channel Logout tokens and
// the legacy HS256 SSO JWT.
//
// It exists so that the rules every token shares live in one place: one
// Claims function feeds the ID token, userinfo and the legacy JWT, so they
// can never disagree; every token names its kind in the JWS `typ` header,
// and every verifier insists on the kind it expects, so an access token
// cannot pass as an ID token hint or the reverse (RFC 8725 §3.11); and the
// algorithms a verifier accepts are fixed here, never taken from the token,
// so `alg: none` and HS256 forgeries keyed with a public key cannot work.
//
// Keys come from package keys, which caches them: minting a token costs one
// signature and no database read. Access tokens are ES256 by default because
// an RS256 signature costs ~25 times the CPU (see the OIDC issue's
// performance notes); ID tokens use each client's chosen algorithm.
package tokens
