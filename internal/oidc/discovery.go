package oidc

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/guildgate/guildgate/internal/clientkeys"
	"github.com/guildgate/guildgate/internal/dpop"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/signinpolicy"
)

// Endpoint paths, relative to a tenant's issuer (PRODUCT.md).
const (
	PathDiscovery  = "/.well-known/openid-configuration"
	PathJWKS       = "/.well-known/jwks.json"
	PathAuthorize  = "/oauth/authorize"
	PathToken      = "/oauth/token"
	PathUserinfo   = "/oauth/userinfo"
	PathRevoke     = "/oauth/revoke"
	PathIntrospect = "/oauth/introspect"
	PathLogout     = "/log-out"
)

// Supported lists every value the provider implements. Discovery publishes
// exactly these, and the endpoints check requests against the same lists,
// so the document can never advertise something that does not work.
var Supported = struct {
	Scopes, ResponseTypes, ResponseModes, GrantTypes, IDTokenAlgs, AuthMethods,
	Claims, Prompts, CodeChallengeMethods []string
}{
	Scopes:        []string{oauth.ScopeOpenID, oauth.ScopeProfile, oauth.ScopeEmail, oauth.ScopeGroups, oauth.ScopeOfflineAccess},
	ResponseTypes: asStrings(oauth.OfferedResponseTypes),
	ResponseModes: []string{"query", "fragment", "form_post"},
	GrantTypes:    model.GrantTypes,
	IDTokenAlgs:   model.IDTokenAlgs,
	AuthMethods:   oauth.TokenAuthMethods,
	Claims: []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "azp", "sid", "at_hash", "c_hash",
		"name", "given_name", "family_name", "locale", "updated_at", "email", "email_verified", "groups", "member_status", "legacy_id",
		"amr", "acr"},
	Prompts:              []string{"none", "login", "consent", "select_account"},
	CodeChallengeMethods: []string{"S256"},
}

// asStrings is l as plain strings, for JSON.
func asStrings[T ~string](l []T) []string {
	out := make([]string, len(l))
	for i, v := range l {
		out[i] = string(v)
	}
	return out
}

// metadata is the OpenID Provider Metadata (Discovery 1.0 §3, RFC 8414,
// RFC 9207, RP-Initiated and Back-Channel Logout).
func metadata(issuer string) map[string]any {
	return map[string]any{
		"issuer":                                                   issuer,
		"authorization_endpoint":                                   issuer + PathAuthorize,
		"token_endpoint":                                           issuer + PathToken,
		"userinfo_endpoint":                                        issuer + PathUserinfo,
		"jwks_uri":                                                 issuer + PathJWKS,
		"end_session_endpoint":                                     issuer + PathLogout,
		"revocation_endpoint":                                      issuer + PathRevoke,
		"introspection_endpoint":                                   issuer + PathIntrospect,
		"scopes_supported":                                         Supported.Scopes,
		"response_types_supported":                                 Supported.ResponseTypes,
		"response_modes_supported":                                 Supported.ResponseModes,
		"grant_types_supported":                                    Supported.GrantTypes,
		"subject_types_supported":                                  []string{"public"},
		"id_token_signing_alg_values_supported":                    Supported.IDTokenAlgs,
		"token_endpoint_auth_methods_supported":                    append(append([]string{}, Supported.AuthMethods...), "none"),
		"revocation_endpoint_auth_methods_supported":               Supported.AuthMethods,
		"introspection_endpoint_auth_methods_supported":            Supported.AuthMethods,
		"token_endpoint_auth_signing_alg_values_supported":         clientkeys.Asymmetric,
		"revocation_endpoint_auth_signing_alg_values_supported":    clientkeys.Asymmetric,
		"introspection_endpoint_auth_signing_alg_values_supported": clientkeys.Asymmetric,
		"claims_supported":                                         Supported.Claims,
		"ui_locales_supported":                                     i18n.Languages,
		"claim_types_supported":                                    []string{"normal"},
		"prompt_values_supported":                                  Supported.Prompts,
		"code_challenge_methods_supported":                         Supported.CodeChallengeMethods,
		"dpop_signing_alg_values_supported":                        dpop.Algs,
		"pushed_authorization_request_endpoint":                    issuer + PathPAR,
		"device_authorization_endpoint":                            issuer + PathDeviceAuthorization,
		"require_pushed_authorization_requests":                    false, // per client: --require-par
		"request_parameter_supported":                              true,
		"request_object_signing_alg_values_supported":              requestObjectAlgs(),
		// request_uri only as /oauth/par issues it (RFC 9126); no URL is fetched.
		"request_uri_parameter_supported":                false,
		"require_signed_request_object":                  false,
		"claims_parameter_supported":                     false,
		"authorization_response_iss_parameter_supported": true,
		"backchannel_logout_supported":                   true,
		"backchannel_logout_session_supported":           true,
		"frontchannel_logout_supported":                  false,
		"acr_values_supported":                           signinpolicy.ACRValuesSupported,
	}
}

// documentCache keeps each issuer's serialized discovery document, so the
// hot path is a map read and a write of prepared bytes.
type documentCache struct {
	mu   sync.Mutex
	docs map[string]prepared

	// jwks holds the header values of the last JWKS served (its ETag at
	// index 2), for the next request that serves the same key set.
	jwks atomic.Pointer[[5]string]
}

type prepared struct {
	body []byte
	etag string
	// headers are the values writePrepared writes, its Cache-Control
	// among them, built once per document (see preparedHeaders).
	headers *[5]string
}

// preparedHeaders holds the values of writePrepared's five headers in one
// array, which every response of the document shares (httpx.SetShared):
// nothing writes into a header's value slice (Set replaces it, Add copies
// it). The Content-Length is the body's: net/http only computes one for a
// body of up to 2 KiB written before the handler returns, and sends a
// longer one (the discovery document) chunked.
func preparedHeaders(etag, cacheControl string, length int) *[5]string {
	return &[5]string{"application/json", cacheControl, etag, "*", strconv.Itoa(length)} // browser-based RPs read these cross-origin
}

var preparedHeaderKeys = [5]string{"Content-Type", "Cache-Control", "Etag", "Access-Control-Allow-Origin", "Content-Length"}

// jwksHeaders are the header values for the JWKS with this ETag and length.
func (c *documentCache) jwksHeaders(etag string, length int) *[5]string {
	if v := c.jwks.Load(); v != nil && v[2] == etag {
		return v
	}
	v := preparedHeaders(etag, cacheJWKS, length)
	c.jwks.Store(v)
	return v
}

func (c *documentCache) get(issuer string) prepared {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.docs[issuer]; ok {
		return p
	}
	body, _ := json.Marshal(metadata(issuer)) // maps of strings, bools and slices always marshal
	etag := etagOf(body)
	p := prepared{body: body, etag: etag, headers: preparedHeaders(etag, cacheDiscovery, len(body))}
	if c.docs == nil || len(c.docs) > 1024 {
		c.docs = map[string]prepared{}
	}
	c.docs[issuer] = p
	return p
}

func etagOf(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
}

// Cache-Control of the public documents: a short max-age for the JWKS lets
// relying parties pick up a rotation within minutes.
const (
	cacheDiscovery = "public, max-age=3600"
	cacheJWKS      = "public, max-age=300"
)

// writePrepared serves a public, cacheable JSON document with its ETag.
func writePrepared(w http.ResponseWriter, r *http.Request, p prepared) {
	if r.Header.Get("If-None-Match") == p.etag {
		// A 304 has no content: every header but the Content-Length, the last.
		n := len(preparedHeaderKeys) - 1
		httpx.SetShared(w.Header(), preparedHeaderKeys[:n], p.headers[:n])
		w.WriteHeader(http.StatusNotModified)
		return
	}
	httpx.SetShared(w.Header(), preparedHeaderKeys[:], p.headers[:])
	_, _ = w.Write(p.body)
}

// requestObjectAlgs: a client's own keys, or HS256 with its secret.
func requestObjectAlgs() []string {
	return append(slices.Clone(clientkeys.Asymmetric), model.AlgHS256)
}
