package bench

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// The member session: the session workloads sign in once through whatever
// the provider shows (Guildgate's two-step login form, or an interaction
// that redirects straight back, as interop/bench-op.mjs does), then reuse
// the session cookie for every authorization.

// prepareSession signs the member in, keeps one access token for userinfo
// and one refresh-token family per worker and client; with the ES256
// client, checks that its ID tokens are signed ES256 indeed.
func (r *runner) prepareSession(ctx context.Context) error {
	clients := []client{r.rs256}
	if slices.ContainsFunc(r.cfg.Workloads, func(w string) bool { return needsES256Client[w] }) {
		clients = append(clients, r.es256)
	}
	for _, cl := range clients {
		for w := 0; w < r.cfg.Concurrency; w++ {
			// The first authorization of each client may meet a sign-in
			// or consent page; the member's session answers the rest.
			tr, err := r.codeFlowLogin(ctx, cl, w == 0)
			if err != nil {
				return fmt.Errorf("member session (client %s): %w", cl.id, err)
			}
			if w == 0 && cl == r.rs256 {
				r.access = tr.AccessToken
			}
			if w == 0 && cl == r.es256 {
				if alg := jwtAlg(tr.IDToken); alg != "ES256" {
					return fmt.Errorf("client %s: its ID token is signed %q, not ES256 (register it with --id-token-alg ES256)", cl.id, alg)
				}
			}
			r.refresh[cl] = append(r.refresh[cl], tr.RefreshToken)
		}
		if r.refresh[cl][0] == "" && (slices.Contains(r.cfg.Workloads, Refresh) || cl == r.es256 && slices.Contains(r.cfg.Workloads, RefreshES256)) {
			return fmt.Errorf("member session: the code exchange issued client %s no refresh token (is offline_access allowed for it?)", cl.id)
		}
	}
	return nil
}

// jwtAlg is the alg of a JWS's protected header, "" if it has none.
func jwtAlg(jws string) string {
	head, _, _ := strings.Cut(jws, ".")
	b, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return ""
	}
	var h struct {
		Alg string `json:"alg"`
	}
	_ = json.Unmarshal(b, &h)
	return h.Alg
}

// codeFlow is one authorization with the existing session and its code
// exchange (PKCE S256) as cl: the "full code flow" workload.
func (r *runner) codeFlow(ctx context.Context, cl client) (tokenResponse, error) {
	return r.codeFlowLogin(ctx, cl, false)
}

func (r *runner) codeFlowLogin(ctx context.Context, cl client, mayLogin bool) (tokenResponse, error) {
	p, err := r.authorizeOnly(ctx, r.browser, cl, mayLogin, r.firstEmail())
	if err != nil {
		return tokenResponse{}, err
	}
	return r.exchange(ctx, cl, p)
}

// authorizeOnly is one authorization through c (PKCE S256), answering sign-in
// forms as email when mayLogin; it returns the code, not exchanged.
func (r *runner) authorizeOnly(ctx context.Context, c *http.Client, cl client, mayLogin bool, email string) (prefetched, error) {
	verifier := randomString(32)
	sum := sha256.Sum256([]byte(verifier))
	state := randomString(12)
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {cl.id},
		"redirect_uri":          {r.cfg.RedirectURI},
		"scope":                 {r.cfg.Scope},
		"state":                 {state},
		"nonce":                 {randomString(12)},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"},
	}
	if email != "" {
		q.Set("login_hint", email)
	}
	code, err := r.authorize(ctx, c, r.md.Authorize+"?"+q.Encode(), state, mayLogin, email)
	return prefetched{code: code, verifier: verifier}, err
}

// exchange redeems one code at the token endpoint as cl.
func (r *runner) exchange(ctx context.Context, cl client, p prefetched) (tokenResponse, error) {
	return r.token(ctx, cl, url.Values{"grant_type": {"authorization_code"}, "code": {p.code},
		"redirect_uri": {r.cfg.RedirectURI}, "code_verifier": {p.verifier}})
}

// authorize follows redirects from target until one reaches the redirect
// URI, answering login forms on the way (as email) when mayLogin.
func (r *runner) authorize(ctx context.Context, c *http.Client, target, state string, mayLogin bool, email string) (string, error) {
	method, body := http.MethodGet, ""
	for range maxRedirects {
		req, err := http.NewRequestWithContext(ctx, method, target, strings.NewReader(body))
		if err != nil {
			return "", err
		}
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := c.Do(req)
		if err != nil {
			return "", err
		}
		page, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if err != nil {
			return "", err
		}
		base := resp.Request.URL
		switch {
		case resp.StatusCode >= 300 && resp.StatusCode < 400:
			loc, err := base.Parse(resp.Header.Get("Location"))
			if err != nil {
				return "", fmt.Errorf("bad redirect %q", resp.Header.Get("Location"))
			}
			if strings.HasPrefix(loc.String(), r.cfg.RedirectURI) {
				p := loc.Query()
				if e := p.Get("error"); e != "" {
					return "", fmt.Errorf("authorization refused: %s: %s", e, p.Get("error_description"))
				}
				if p.Get("state") != state || p.Get("code") == "" {
					return "", fmt.Errorf("redirect without code or with the wrong state: %s", loc.Redacted())
				}
				return p.Get("code"), nil
			}
			method, body, target = http.MethodGet, "", loc.String()
		case resp.StatusCode == http.StatusOK && mayLogin:
			action, form, ok := loginForm(string(page))
			if !ok {
				return "", fmt.Errorf("GET %s: a page without a sign-in form", base.Path)
			}
			if hasInput(string(page), "email") && !form.Has("email") {
				form.Set("email", email)
			}
			if hasInput(string(page), "password") {
				form.Set("password", r.cfg.MemberPassword)
			}
			a, err := base.Parse(action)
			if err != nil {
				return "", err
			}
			method, body, target = http.MethodPost, form.Encode(), a.String()
		default:
			return "", fmt.Errorf("%s %s: status %d: %.200s", method, base.Path, resp.StatusCode, page)
		}
	}
	return "", fmt.Errorf("no redirect to %s after %d steps", r.cfg.RedirectURI, maxRedirects)
}

var (
	formTag   = regexp.MustCompile(`(?is)<form\b[^>]*\baction="([^"]*)"`)
	inputTag  = regexp.MustCompile(`(?is)<input\b[^>]*>`)
	attrValue = regexp.MustCompile(`(?is)\b(name|value|type)="([^"]*)"`)
)

// loginForm returns a page's first form action and its hidden inputs.
func loginForm(page string) (action string, hidden url.Values, ok bool) {
	m := formTag.FindStringSubmatch(page)
	if m == nil {
		return "", nil, false
	}
	hidden = url.Values{}
	for _, tag := range inputTag.FindAllString(page, 50) {
		a := attrs(tag)
		if a["type"] == "hidden" && a["name"] != "" {
			hidden.Set(a["name"], a["value"])
		}
	}
	return html.UnescapeString(m[1]), hidden, true
}

func hasInput(page, name string) bool {
	for _, tag := range inputTag.FindAllString(page, 50) {
		if attrs(tag)["name"] == name {
			return true
		}
	}
	return false
}

func attrs(tag string) map[string]string {
	out := map[string]string{}
	for _, m := range attrValue.FindAllStringSubmatch(tag, 10) {
		out[strings.ToLower(m[1])] = html.UnescapeString(m[2])
	}
	return out
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
