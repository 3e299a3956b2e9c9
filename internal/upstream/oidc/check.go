package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-jose/go-jose/v4"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/outbound"
	"github.com/guildgate/guildgate/internal/upstream"
)

// Finding is one result of Check, in words an administrator or an
// organisation's IT contact can act on.
type Finding struct {
	Check   string `json:"check"`
	OK      bool   `json:"ok"`
	Message string `json:"message"`
	// Summary says as much in fixed words that quote nothing the provider,
	// or whatever answered at its URLs, sent back: no status, JSON, URL or
	// network error. It is all a setup-link holder, who has no account, is
	// shown; Message is for administrators and the operator.
	Summary string `json:"-"`
}

// Summaries of the findings, shown on setup links' pages.
const (
	wrongIssuer       = "the discovery document names a different issuer"
	secretRefused     = "the token endpoint refused the client id or secret"
	clientUnknown     = "the provider does not seem to accept this client id and redirect URI"
	authorizeNoAnswer = "the authorization endpoint could not be reached"
)

// failure is a check's error that knows its own summary.
type failure struct {
	summary string
	err     error
}

func (f *failure) Error() string { return f.err.Error() }
func (f *failure) Unwrap() error { return f.err }

// finding records one check's result; a failure's summary is its own when
// it has one, else fail.
func finding(check string, err error, ok, okSummary, fail string) Finding {
	if err == nil {
		return Finding{Check: check, OK: true, Message: ok, Summary: okSummary}
	}
	if f, isFailure := errors.AsType[*failure](err); isFailure {
		fail = f.summary
	}
	return Finding{Check: check, Message: err.Error(), Summary: fail}
}

// Check tests a connection against its provider without signing anyone in:
// discovery, the endpoints' form, the JWKS, whether the authorization
// endpoint knows the client and redirect URI (as far as can be told from
// outside), and whether the token endpoint accepts the client's
// credentials. It never returns early, so every problem is listed at once.
// Every request goes through o.Outbound, so a connection pointed at the
// server's own network reaches nothing there.
func Check(ctx context.Context, c model.Connection, secret, redirectURI string, o Options) []Finding {
	if err := o.check(); err != nil {
		return []Finding{finding("setup", err, "", "", "the connection could not be tested")}
	}
	var out []Finding
	md, err := resolve(ctx, o.Outbound, c)
	if c.DiscoveryURL != "" {
		out = append(out, finding("discovery", err, "discovery document found; issuer "+md.Issuer,
			"the discovery document was found", "the discovery document could not be fetched"))
	}
	if err != nil {
		return out
	}
	err = checkMetadata(md)
	out = append(out, finding("endpoints", err, "issuer, authorization, token and JWKS endpoints are https",
		"the issuer, authorization, token and JWKS endpoints are https", "an endpoint is missing or is not an https URL"))
	if err != nil {
		return out
	}
	n, err := signingKeys(ctx, o.Outbound.For(outbound.JWKS), md.JWKSURL)
	out = append(out, finding("jwks", err, fmt.Sprintf("JWKS reachable with %d signing key(s)", n),
		"the JWKS holds signing keys", "the JWKS could not be fetched or holds no signing key"))
	err = probeAuthorize(ctx, o.Outbound.For(outbound.AuthorizationProbe), md.AuthURL, c.ClientID, redirectURI)
	out = append(out, finding("redirect_uri", err,
		"the authorization endpoint accepts the client id and redirect URI "+redirectURI+" as far as can be told",
		"the authorization endpoint accepts the client id and redirect URI, as far as can be told", clientUnknown))
	err = probeToken(ctx, o.Outbound.For(outbound.Token), md.TokenURL, c, secret, redirectURI)
	return append(out, finding("client_secret", err, "the token endpoint accepts the client id and secret",
		"the token endpoint accepts the client id and secret", "the token endpoint could not be reached or did not answer as expected"))
}

// signingKeys counts the JWKS's public keys that can verify ID tokens.
func signingKeys(ctx context.Context, hc *http.Client, u string) (int, error) {
	var set jose.JSONWebKeySet
	if err := fetchJSON(ctx, hc, u, &set); err != nil {
		return 0, fmt.Errorf("JWKS: %w", err)
	}
	n := 0
	for _, k := range set.Keys {
		if k.Valid() && k.IsPublic() && (k.Use == "" || k.Use == "sig") {
			n++
		}
	}
	if n == 0 {
		return 0, fmt.Errorf("the JWKS at %s holds no public signing key", u)
	}
	return n, nil
}

// probeAuthorize starts an authorization request and reads the answer: a
// provider that does not know the client or the redirect URI says so with
// an error page instead of a sign-in page.
func probeAuthorize(ctx context.Context, hc *http.Client, authURL, clientID, redirectURI string) error {
	u, err := url.Parse(authURL)
	if err != nil {
		return err
	}
	q := u.Query()
	for k, v := range map[string]string{"client_id": clientID, "redirect_uri": redirectURI, "response_type": "code",
		"scope": "openid", "state": "guildgate-connection-test", "nonce": "guildgate-connection-test",
		"code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "code_challenge_method": "S256"} {
		q.Set(k, v)
	}
	u.RawQuery = q.Encode()
	status, loc, body, err := get(ctx, hc, u.String())
	if err != nil {
		return &failure{summary: authorizeNoAnswer, err: fmt.Errorf("the authorization endpoint is unreachable: %w", err)}
	}
	if status >= 300 && status < 400 {
		if strings.HasPrefix(loc, redirectURI) && strings.Contains(loc, "error=unauthorized_client") {
			return fmt.Errorf("the provider does not let client %s use the code flow", clientID)
		}
		return nil // on to a sign-in page, or back to us: both mean accepted
	}
	lower := strings.ToLower(body)
	switch {
	case status < 400:
		return nil
	case strings.Contains(lower, "redirect"):
		return fmt.Errorf("the redirect URI %s does not seem to be registered with the provider (it answered %d mentioning the redirect URI)", redirectURI, status)
	case strings.Contains(lower, "client"):
		return fmt.Errorf("the provider does not seem to know client id %s (it answered %d mentioning the client)", clientID, status)
	}
	return fmt.Errorf("the authorization endpoint answered %d to a sign-in request", status)
}

// probeToken redeems a code that cannot exist: a provider authenticates
// the client before it looks at the code, so invalid_grant means the
// credentials passed and invalid_client that they did not.
func probeToken(ctx context.Context, hc *http.Client, tokenURL string, c model.Connection, secret, redirectURI string) error {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {"guildgate-connection-test"},
		"redirect_uri": {redirectURI}, "code_verifier": {strings.Repeat("v", 43)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, nil)
	if err != nil {
		return err
	}
	if c.AuthMethod == model.AuthClientSecretPost {
		form.Set("client_id", c.ClientID)
		form.Set("client_secret", secret)
	} else {
		req.SetBasicAuth(url.QueryEscape(c.ClientID), url.QueryEscape(secret))
	}
	req.Body = io.NopCloser(strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("the token endpoint is unreachable: %w", err)
	}
	defer resp.Body.Close()
	var e struct {
		Error string `json:"error"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&e)
	switch e.Error {
	case "invalid_grant":
		return nil
	case "invalid_client", "unauthorized_client":
		return &failure{summary: secretRefused, err: fmt.Errorf("the token endpoint refused the client id or secret (%s); check both, and whether the provider wants %s",
			e.Error, otherMethod(c.AuthMethod))}
	case "":
		return fmt.Errorf("the token endpoint answered %s without an OAuth error", resp.Status)
	}
	return fmt.Errorf("the token endpoint answered %q to a test request", e.Error)
}

func otherMethod(m string) string {
	if m == model.AuthClientSecretPost {
		return model.AuthClientSecretBasic
	}
	return model.AuthClientSecretPost
}

func get(ctx context.Context, hc *http.Client, u string) (status int, location, body string, err error) {
	if err := upstream.CheckEndpoint(u); err != nil {
		return 0, "", "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, "", "", err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, "", "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body) // bounded by hc; a long page's start is enough

	return resp.StatusCode, resp.Header.Get("Location"), string(b), nil
}
