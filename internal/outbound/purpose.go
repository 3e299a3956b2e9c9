package outbound

import "time"

// Purpose names why a request is made. It picks the request's limits and is
// the metric's purpose label, so the set is fixed here.
type Purpose string

// The purposes, and the limits each gets (see defaultLimits).
const (
	Discovery          Purpose = "discovery"           // an OpenID provider's discovery document
	JWKS               Purpose = "jwks"                // a provider's signing keys
	Token              Purpose = "token"               // a code exchange, or the connection test's probe of it
	Userinfo           Purpose = "userinfo"            // a provider's userinfo endpoint
	AuthorizationProbe Purpose = "authorization_probe" // the connection test's look at the authorization endpoint
	BackchannelLogout  Purpose = "backchannel_logout"  // a relying party's back-channel logout URI
	SAMLMetadata       Purpose = "saml_metadata"       // a SAML app's metadata, read when an administrator registers it
	ClientJWKS         Purpose = "client_jwks"         // an SSO client's public keys (its registered jwks_uri)
	Webhook            Purpose = "webhook"             // a delivery to a partner app's webhook endpoint
	other              Purpose = "other"               // anything For was not told about: the strictest limits
)

// limit is what one purpose may cost.
type limit struct {
	maxBody   int64         // bytes of answer read at most; more is an error, not a truncation
	redirects int           // hops followed, each re-checked; 0 hands the 3xx itself to the caller
	timeout   time.Duration // the whole request: dial, handshake, redirects and body
}

// requestTimeout bounds a request a member or an administrator is waiting
// on: a provider that hangs costs them seconds, not a stuck page.
const requestTimeout = 10 * time.Second

// defaultLimits sizes each answer at several times the largest seen in the
// wild, so that no real provider comes near while a hostile one cannot make
// the server buffer more than a few hundred kilobytes per request:
//   - discovery documents are 1–8 KiB (Google, Entra ID, Okta, Keycloak with
//     its long algorithm lists): 64 KiB;
//   - a JWKS (a provider's, or an SSO client's jwks_uri) holds a handful of keys, each up to ~4 KiB with an x5c
//     certificate chain (Entra ID publishes ~10 keys, ~20 KiB): 256 KiB;
//   - a token response carries an ID token, an access token and a refresh
//     token; with Entra ID's 200-group ceiling an ID token is ~10 KiB:
//     128 KiB, as for userinfo, which carries the same claims;
//   - the authorization probe looks at the status and an error page's
//     words "client" and "redirect"; it reads at most 256 KiB of a page,
//     which holds any error message (a sign-in page heavy with inline
//     script may be longer, and its status is what counts);
//   - a back-channel logout answer has no meaningful body (§2.8): 4 KiB;
//   - a SAML app's metadata is 2–20 KiB (a few certificates, endpoints):
//     256 KiB, the bound internal/saml parses at most;
//   - a webhook receiver's answer is read only for its status: 4 KiB, and
//     a redirect is a failed delivery (a signed event goes where it was
//     registered, never where a receiver points it).
//
// Discovery and SAML metadata follow redirects (documents move);
// the protocols name exact token, JWKS and userinfo URLs, the probe reads
// the redirect itself, and a logout token goes where it was registered or
// nowhere. Back-channel logout runs in the background with retries, so a
// shorter attempt suffices.
func defaultLimits() map[Purpose]limit {
	return map[Purpose]limit{
		Discovery:          {maxBody: 64 << 10, redirects: 3, timeout: requestTimeout},
		JWKS:               {maxBody: 256 << 10, timeout: requestTimeout},
		Token:              {maxBody: 128 << 10, timeout: requestTimeout},
		Userinfo:           {maxBody: 128 << 10, timeout: requestTimeout},
		AuthorizationProbe: {maxBody: 256 << 10, timeout: requestTimeout},
		BackchannelLogout:  {maxBody: 4 << 10, timeout: 5 * time.Second},
		SAMLMetadata:       {maxBody: 256 << 10, redirects: 3, timeout: requestTimeout},
		ClientJWKS:         {maxBody: 256 << 10, timeout: requestTimeout},
		Webhook:            {maxBody: 4 << 10, timeout: requestTimeout},
		other:              {maxBody: 4 << 10, timeout: 5 * time.Second},
	}
}
