package oidc

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/model"
)

// logoutRP is a relying party's back-channel endpoint that answers with
// the scripted statuses in turn (the last one repeating) and records
// every request it gets.
type logoutRP struct {
	srv      *httptest.Server
	statuses []int
	block    chan struct{} // when set, each request waits for it to close

	mu       sync.Mutex
	tokens   []string
	problems []string
}

func newLogoutRP(t *testing.T, statuses ...int) *logoutRP {
	rp := &logoutRP{statuses: append(statuses, http.StatusOK)}
	rp.srv = httptest.NewTLSServer(http.HandlerFunc(rp.serve))
	t.Cleanup(rp.srv.Close)
	return rp
}

func (rp *logoutRP) serve(w http.ResponseWriter, r *http.Request) {
	if rp.block != nil {
		select {
		case <-rp.block:
		case <-r.Context().Done():
		}
	}
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || r.ParseForm() != nil {
		rp.problems = append(rp.problems, r.Method+" "+r.Header.Get("Content-Type"))
	}
	rp.tokens = append(rp.tokens, r.PostForm.Get("logout_token"))
	status := rp.statuses[min(len(rp.tokens), len(rp.statuses))-1]
	if status == http.StatusTemporaryRedirect {
		w.Header().Set("Location", rp.srv.URL+"/elsewhere")
	}
	w.WriteHeader(status)
}

func (rp *logoutRP) received() []string {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if len(rp.problems) > 0 {
		return []string{"bad request: " + strings.Join(rp.problems, ", ")}
	}
	return append([]string(nil), rp.tokens...)
}

func (e *logoutEnv) addBackchannelClient(rp *logoutRP, alg string) model.Client {
	return e.addClient(func(in *clients.Input) { in.BackchannelLogoutURI, in.IDTokenAlg = rp.srv.URL+"/bc", alg })
}

// TestBackchannelLogoutTokens: every client of the session with a
// back-channel URI gets one logout token (Back-Channel Logout 1.0 §2.4)
// signed like its ID tokens and naming the session its ID token named.
func TestBackchannelLogoutTokens(t *testing.T) {
	e := newLogoutEnv(t)
	rpA, rpB := newLogoutRP(t), newLogoutRP(t)
	a, b := e.addBackchannelClient(rpA, model.AlgRS256), e.addBackchannelClient(rpB, model.AlgHS256)
	quiet := e.addClient(nil)
	c := e.browser()
	s := e.signIn(c, e.member)
	g := e.grant(a, s)
	e.grant(a, s, "offline_access") // a second grant of a: still one token
	e.grant(b, s)
	e.grant(quiet, s)
	hint := e.idToken(a, g)
	e.get(c, url.Values{"id_token_hint": {hint}})
	e.ep.bc.wait()

	for _, tc := range []struct {
		rp     *logoutRP
		client model.Client
	}{{rpA, a}, {rpB, b}} {
		got := tc.rp.received()
		if len(got) != 1 {
			t.Fatalf("%s: received %q", tc.client.IDTokenAlg, got)
		}
		claims := e.verifyLogoutToken(t, tc.client, got[0])
		if claims["aud"] != tc.client.ID || claims["sid"] != logoutClaim(t, hint, "sid") || claims["sid"] != s.ID {
			t.Errorf("%s: claims %v", tc.client.IDTokenAlg, claims)
		}
	}
	if ev := logoutAudit(t, e); len(ev) != 1 || ev[0].Detail["clients_notified"] != a.ID+","+b.ID {
		t.Fatalf("audit %+v", ev)
	}
}

// verifyLogoutToken checks what §2.4 and §2.6 ask a relying party to check.
func (e *logoutEnv) verifyLogoutToken(t *testing.T, c model.Client, tok string) map[string]any {
	t.Helper()
	jws, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.EdDSA, jose.HS256})
	e.must(err)
	h := jws.Signatures[0].Header
	if h.ExtraHeaders[jose.HeaderType] != "logout+jwt" || h.Algorithm != c.IDTokenAlg {
		t.Fatalf("header %+v", h)
	}
	var key any
	if c.IDTokenAlg == model.AlgHS256 {
		key, err = e.p.Clients.SigningSecret(e.ctx, c)
	} else {
		var set jose.JSONWebKeySet
		set, err = e.p.Keys.VerificationKeys(e.ctx, e.tenant.ID)
		key = set.Key(h.KeyID)[0]
	}
	e.must(err)
	payload, err := jws.Verify(key)
	e.must(err)
	var claims map[string]any
	e.must(json.Unmarshal(payload, &claims))
	events, _ := claims["events"].(map[string]any)
	iat, _ := claims["iat"].(float64)
	exp, _ := claims["exp"].(float64)
	if claims["iss"] != e.tenant.Issuer || claims["sub"] != e.member.ID || events == nil ||
		events["http://schemas.openid.net/event/backchannel-logout"] == nil || claims["nonce"] != nil ||
		claims["jti"] == "" || claims["jti"] == nil || iat == 0 || exp <= iat || time.Since(time.Unix(int64(iat), 0)) > time.Minute {
		t.Fatalf("claims %v", claims)
	}
	return claims
}

// logoutClaim reads a claim of a token without verifying it.
func logoutClaim(t *testing.T, tok, name string) any {
	jws, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.EdDSA, jose.HS256})
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &claims); err != nil {
		t.Fatal(err)
	}
	return claims[name]
}

// TestBackchannelRetries: temporary failures are retried up to three
// attempts in all; a refusal or a redirect is not; failures are logged
// without the token.
func TestBackchannelRetries(t *testing.T) {
	for _, tc := range []struct {
		name     string
		statuses []int
		attempts int
		fails    bool
	}{
		{"fails twice then succeeds", []int{503, 500}, 3, false},
		{"no content is success", []int{204}, 1, false},
		{"always down", []int{502, 502, 502, 502}, 3, true},
		{"busy then gone", []int{429, 400}, 2, true},
		{"refused", []int{400}, 1, true},
		{"redirect not followed", []int{307}, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newLogoutEnv(t)
			rp := newLogoutRP(t, tc.statuses...)
			client := e.addBackchannelClient(rp, "")
			c := e.browser()
			s := e.signIn(c, e.member)
			e.get(c, url.Values{"id_token_hint": {e.idToken(client, e.grant(client, s))}})
			e.ep.bc.wait()
			got := rp.received()
			logs := e.logs.String()
			if len(got) != tc.attempts || strings.Contains(logs, got[0]) {
				t.Fatalf("%d attempts (%q), want %d", len(got), got, tc.attempts)
			}
			if failed := strings.Contains(logs, "back-channel logout failed"); failed != tc.fails {
				t.Fatalf("failure logged %v, want %v:\n%s", failed, tc.fails, logs)
			}
		})
	}
}

// TestBackchannelNeverDelaysTheMember: the member's page is answered while
// a relying party's endpoint still hangs.
func TestBackchannelNeverDelaysTheMember(t *testing.T) {
	e := newLogoutEnv(t)
	rp := newLogoutRP(t)
	rp.block = make(chan struct{})
	release := sync.OnceFunc(func() { close(rp.block) })
	t.Cleanup(release) // before the RP's Close, which waits for its handlers
	client := e.addBackchannelClient(rp, model.AlgES256)
	c := e.browser()
	s := e.signIn(c, e.member)
	hint := e.idToken(client, e.grant(client, s))
	start := time.Now()
	r := e.get(c, url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {"https://rp.example/bye"}})
	if took := time.Since(start); took > 500*time.Millisecond || r.header.Get("Location") != "https://rp.example/bye" {
		t.Fatalf("answered in %v: %d %q", took, r.status, r.header.Get("Location"))
	}
	release()
	e.ep.bc.wait()
	if got := rp.received(); len(got) != 1 {
		t.Fatalf("received %q", got)
	}
}
