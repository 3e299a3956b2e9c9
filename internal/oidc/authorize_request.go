package oidc

import (
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/signinpolicy"
)

// authRequest is an authorization request once every parameter has been
// checked (OIDC Core §3.1.2.1, RFC 6749 §4.1.1 and §4.2.1, RFC 7636 §4.3).
type authRequest struct {
	Client          model.Client
	RedirectURI     string // as sent (and registered); codes are bound to it
	ResponseType    oauth.ResponseType
	Scopes          oauth.Scopes
	Nonce           string
	Challenge       string // PKCE; empty when not sent
	ChallengeMethod string
	// DPoPJKT binds the code to a DPoP key (RFC 9449 §10): the token
	// request must come with a proof by that key. Empty when not sent.
	DPoPJKT     string
	Prompt      authPrompt
	MaxAge      int64 // seconds; -1 when absent
	LoginHint   string
	IDTokenHint string             // raw; verified with the tenant's keys later
	ACR         signinpolicy.Level // what acr_values asks; LevelOne for nothing
	// Resume is set on a request coming back from /login with a marker
	// that opened (authResumeParam).
	Resume authResume
	// Pushed is the pushed request this one came from (ID empty for none).
	Pushed pushed
	// params are the request as sent, to resume it after sign-in.
	params url.Values
}

// authReply is where and how the answer to an authorization request goes;
// it is known before the rest of the request is checked, so that every
// later error can be sent there.
type authReply struct {
	URI   string
	Mode  oauth.ResponseMode
	State string
	Iss   string // RFC 9207; empty for a client that must not get it (responseIss)
}

// Bounds on values that are stored or sent back: an honest client stays
// far below them.
const (
	authMaxNonce     = 1024
	authMaxLoginHint = 254
)

// newAuthReply picks the response mode errors use before the request is
// known to be valid: the requested one when it is valid for the response
// type as sent, else the default for that response type. It also refuses
// any repeated parameter (RFC 6749 §3.1), known to us or not: two values
// let two readers see two different requests; and any parameter that is
// not text (oauth.CheckText), which some layer would silently mangle.
func newAuthReply(v url.Values, redirectURI, iss string) (authReply, error) {
	rt := oauth.ResponseType(v.Get("response_type"))
	to := authReply{URI: redirectURI, Mode: oauth.DefaultResponseMode(rt), State: v.Get("state"), Iss: iss}
	if err := oauth.SingleValues(v, slices.Sorted(maps.Keys(v))...); err != nil {
		return to, err
	}
	if err := oauth.CheckText(v); err != nil {
		return to, err
	}
	if m := v.Get("response_mode"); m != "" {
		if err := oauth.ValidResponseMode(rt, oauth.ResponseMode(m)); err != nil {
			return to, err
		}
		to.Mode = oauth.ResponseMode(m)
	}
	return to, nil
}

// parseAuthRequest checks everything after the client and redirect URI, in
// an order that reports the most basic problem first. Parameters it does
// not name (display, ui_locales, claims_locales, claims) are
// accepted and ignored, as OIDC Core §3.1.2.1 and our discovery document
// (claims_parameter_supported false) allow.
func parseAuthRequest(v url.Values, c model.Client, redirectURI string) (*authRequest, error) {
	req := &authRequest{Client: c, RedirectURI: redirectURI, params: v, MaxAge: -1}
	steps := []func(*authRequest, url.Values) error{
		(*authRequest).refuseRequestObjects, (*authRequest).parseResponseType, (*authRequest).parseScope,
		(*authRequest).parseNonce, (*authRequest).parsePKCE, (*authRequest).parseDPoPJKT, (*authRequest).parsePromptAndAge,
		(*authRequest).parseHints,
	}
	for _, step := range steps {
		if err := step(req, v); err != nil {
			return nil, err
		}
	}
	return req, nil
}

func (*authRequest) refuseRequestObjects(v url.Values) error {
	switch {
	case v.Has("request"):
		return oauth.RequestNotSupported("Request objects (the request parameter) are not supported.")
	case v.Has("request_uri"):
		return oauth.RequestURINotSupported("The request_uri parameter is not supported.")
	case v.Has("registration"):
		return oauth.RegistrationNotSupported("The registration parameter is not supported.")
	}
	return nil
}

// parseResponseType accepts only the response types discovery lists,
// and only those the client is allowed: a code needs the
// authorization_code grant, an ID token or access token from this
// endpoint the implicit grant.
func (req *authRequest) parseResponseType(v url.Values) error {
	rt, err := oauth.ParseResponseType(v.Get("response_type"))
	if err != nil {
		return err
	}
	if !slices.Contains(Supported.ResponseTypes, string(rt)) {
		return oauth.UnsupportedResponseType("response_type " + string(rt) + " is not supported.")
	}
	if rt.ReturnsCode() && !req.Client.AllowsGrant(model.GrantAuthorizationCode) {
		return oauth.UnauthorizedClient("This client may not use the authorization code flow.")
	}
	if (rt.ReturnsIDToken() || rt.ReturnsAccessToken()) && !req.Client.AllowsGrant(model.GrantImplicit) {
		return oauth.UnauthorizedClient("This client may not receive tokens from the authorization endpoint (implicit grant).")
	}
	if rt.ReturnsAccessToken() && req.Client.RequireDPoP {
		// No proof can reach this endpoint, so its access tokens would be unbound.
		return oauth.UnauthorizedClient("This client's tokens must be DPoP-bound, which an access token from the authorization endpoint cannot be.")
	}
	req.ResponseType = rt
	return nil
}

// parseScope: unknown scopes are refused (PRODUCT.md), and an ID token is
// only issued for an OpenID Connect request.
func (req *authRequest) parseScope(v url.Values) error {
	sc, err := oauth.ParseScope(v.Get("scope"))
	if err != nil {
		return err
	}
	for _, s := range sc {
		if !slices.Contains(Supported.Scopes, s) {
			return oauth.InvalidScope("The scope " + s + " is not supported.")
		}
	}
	if req.ResponseType.ReturnsIDToken() && !sc.Contains(oauth.ScopeOpenID) {
		return oauth.InvalidScope("The openid scope is required when response_type includes id_token.")
	}
	req.Scopes = sc
	return nil
}

// parseNonce: OIDC Core §3.2.2.1 and §3.3.2.11 require a nonce whenever
// the ID token comes from this endpoint, where it could be replayed.
func (req *authRequest) parseNonce(v url.Values) error {
	req.Nonce = v.Get("nonce")
	switch {
	case req.Nonce == "" && req.ResponseType.ReturnsIDToken():
		return oauth.InvalidRequest("nonce is required when response_type includes id_token.")
	case len(req.Nonce) > authMaxNonce:
		return oauth.InvalidRequest("nonce is too long (at most " + strconv.Itoa(authMaxNonce) + " characters).")
	}
	return nil
}

// parsePKCE checks a challenge when one was sent, and demands one from a
// public client, which has no secret to protect its code (RFC 7636, BCP
// 212). Without a code there is nothing for PKCE to bind.
func (req *authRequest) parsePKCE(v url.Values) error {
	challenge, method := v.Get("code_challenge"), v.Get("code_challenge_method")
	if !req.ResponseType.ReturnsCode() || (challenge == "" && method == "" && !req.Client.Public) {
		return nil
	}
	if err := oauth.ValidateChallenge(challenge, method); err != nil {
		if challenge == "" && req.Client.Public {
			return oauth.InvalidRequest("code_challenge is required: this is a public client, which must use PKCE (S256).")
		}
		return err
	}
	req.Challenge, req.ChallengeMethod = challenge, method
	return nil
}

// parseDPoPJKT reads dpop_jkt (RFC 9449 §10): a JWK SHA-256 thumbprint
// (RFC 7638), 43 base64url characters. It binds a code; a response
// without one has nothing to bind, and ignores it.
func (req *authRequest) parseDPoPJKT(v url.Values) error {
	jkt := v.Get("dpop_jkt")
	if jkt == "" || !req.ResponseType.ReturnsCode() {
		return nil
	}
	if !validJKT(jkt) {
		return oauth.InvalidRequest("dpop_jkt must be the base64url SHA-256 thumbprint of a JWK (RFC 7638).")
	}
	req.DPoPJKT = jkt
	return nil
}

// validJKT reports whether s has the form of a SHA-256 JWK thumbprint.
func validJKT(s string) bool {
	return len(s) == 43 && strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == ""
}

func (req *authRequest) parsePromptAndAge(v url.Values) error {
	p, err := parseAuthPrompt(v.Get("prompt"))
	if err != nil {
		return err
	}
	req.Prompt = p
	if s := v.Get("max_age"); v.Has("max_age") {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 || strings.TrimLeft(s, "0123456789") != "" {
			return oauth.InvalidRequest("max_age must be a non-negative integer number of seconds.")
		}
		req.MaxAge = n
	}
	return nil
}

func (req *authRequest) parseHints(v url.Values) error {
	req.LoginHint, req.IDTokenHint = v.Get("login_hint"), v.Get("id_token_hint")
	req.ACR, _ = signinpolicy.RequestedLevel(v.Get("acr_values"))
	if len(req.LoginHint) > authMaxLoginHint {
		req.LoginHint = "" // only a convenience: an unusable hint is dropped, not an error
	}
	return checkAuthResume(v.Get(authResumeParam))
}

// authPrompt is the parsed prompt parameter (OIDC Core §3.1.2.1).
type authPrompt struct {
	None, Login, Consent, SelectAccount bool
}

// parseAuthPrompt accepts the values discovery lists, each at most once, and
// refuses none combined with anything else, as the spec requires.
func parseAuthPrompt(s string) (authPrompt, error) {
	var p authPrompt
	if s == "" {
		return p, nil
	}
	seen := map[string]bool{}
	for _, v := range strings.Split(s, " ") {
		if !slices.Contains(Supported.Prompts, v) || seen[v] {
			return p, oauth.InvalidRequest("prompt must be none, or any of login, consent and select_account, each once.")
		}
		seen[v] = true
	}
	p = authPrompt{None: seen["none"], Login: seen["login"], Consent: seen["consent"], SelectAccount: seen["select_account"]}
	if p.None && len(seen) > 1 {
		return p, oauth.InvalidRequest("prompt=none cannot be combined with other prompt values.")
	}
	return p, nil
}
