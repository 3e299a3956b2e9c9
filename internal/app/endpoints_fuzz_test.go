package app_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/app"
	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/config"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/password"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/tenancy"
)

// The fuzz targets in this file send hostile bytes through the whole
// handler tree (every middleware, the tenant resolver, the endpoint and
// its parsers) of a real app on SQLite, in-process, so that a parser's
// mistake anywhere on the path shows as a panic (500), an error in the
// wrong form, or an answer the request did not earn.

const fuzzRedirect = "https://rp.example/cb"

// fuzzSite is a built app with one confidential client that may use every
// grant.
type fuzzSite struct {
	handler        http.Handler
	issuer         string
	clientID       string
	clientSecret   string
	clientIDSecret string // the Basic credentials, encoded
}

func newFuzzSite(t testing.TB) *fuzzSite {
	t.Helper()
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Database, cfg.Issuer = filepath.Join(cfg.DataDir, "guildgate.db"), "https://localhost:8443"
	st, err := app.OpenStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	keyring, err := secrets.NewKeyring(secrets.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(ctx, app.Deps{Store: st, Config: cfg, Now: time.Now, Keyring: keyring,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Hasher: password.NewHasher(password.Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})})
	if err != nil {
		t.Fatal(err)
	}
	svc := &clients.Service{Store: st.Clients(), Groups: st.Groups(), Audit: st.Audit(), Secrets: keyring, Now: time.Now}
	c, err := svc.Create(ctx, "test", a.Default.ID, clients.Input{Name: "Fuzz", RedirectURIs: []string{fuzzRedirect},
		GrantTypes: []string{model.GrantAuthorizationCode, model.GrantImplicit, model.GrantRefreshToken, model.GrantClientCredentials,
			model.GrantDeviceCode}})
	if err != nil {
		t.Fatal(err)
	}
	return &fuzzSite{handler: a.Handler, issuer: cfg.Issuer, clientID: c.ID, clientSecret: c.Secret,
		clientIDSecret: base64.StdEncoding.EncodeToString([]byte(c.ID + ":" + c.Secret))}
}

func (s *fuzzSite) do(r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, r)
	return rec
}

// oauthErrorCodes are the error values the token, userinfo and revocation
// endpoints may answer with (RFC 6749 §5.2, RFC 6750 §3.1).
var oauthErrorCodes = map[string]bool{"invalid_request": true, "invalid_client": true, "invalid_grant": true,
	"unauthorized_client": true, "unsupported_grant_type": true, "invalid_scope": true, "invalid_token": true}

// deviceErrorCodes are the further errors of a device's poll (RFC 8628
// §3.5), allowed only for the device grant.
var deviceErrorCodes = map[string]bool{"authorization_pending": true, "slow_down": true, "expired_token": true,
	"access_denied": true}

// deviceCode starts a device authorization for the site's client and
// returns its device_code: a real one, which no member will approve.
func (s *fuzzSite) deviceCode(t testing.TB) string {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, s.issuer+"/oauth/device_authorization", strings.NewReader("scope=openid"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Authorization", "Basic "+s.clientIDSecret)
	rec := s.do(r)
	var v struct {
		DeviceCode string `json:"device_code"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &v); rec.Code != http.StatusOK || err != nil || v.DeviceCode == "" {
		t.Fatalf("device authorization: %d %s", rec.Code, rec.Body)
	}
	return v.DeviceCode
}

// isDeviceGrant: the body asks for the device grant.
func isDeviceGrant(body string) bool {
	v, err := url.ParseQuery(body)
	return err == nil && v.Get("grant_type") == model.GrantDeviceCode
}

// FuzzTokenEndpoint: whatever the body and Authorization header, the token
// endpoint answers in RFC 6749's JSON form, never caches, never fails on
// our side, and issues tokens only to a request carrying the client secret.
// A device's poll may also answer with RFC 8628's errors.
func FuzzTokenEndpoint(f *testing.F) {
	s := newFuzzSite(f)
	device := "grant_type=" + url.QueryEscape(model.GrantDeviceCode) + "&device_code="
	code := s.deviceCode(f)
	for _, seed := range [][2]string{
		{"Basic " + s.clientIDSecret, device + code},                                          // pending
		{"Basic " + s.clientIDSecret, device + "not-a-device-code"},                           // bad device_code
		{"Basic " + s.clientIDSecret, "grant_type=" + url.QueryEscape(model.GrantDeviceCode)}, // no device_code
		{"", device + code}, // no client
		{"", device + code + "&client_id=" + s.clientID},                                                   // no secret
		{"", device + code + "&client_id=" + s.clientID + "&client_secret=" + s.clientSecret + "&scope=x"}, // in the body
		{"Basic " + s.clientIDSecret, device + code + "&device_code=" + code},                              // twice
		{"Basic " + s.clientIDSecret, "grant_type=client_credentials"},
		{"", "grant_type=client_credentials&client_id=" + s.clientID + "&client_secret=" + s.clientSecret},
		{"", "grant_type=authorization_code&code=abc&redirect_uri=" + url.QueryEscape(fuzzRedirect) + "&client_id=" + s.clientID},
		{"Basic " + s.clientIDSecret, "grant_type=refresh_token&refresh_token=%00%FF"},
		{"Basic " + s.clientIDSecret, "grant_type=client_credentials&scope=openid&scope=x"},
		{"Basic", "grant_type=password"}, {"Bearer x", ""}, {"", "%zz"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, authorization, body string) {
		r := httptest.NewRequest(http.MethodPost, s.issuer+"/oauth/token", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if authorization != "" {
			r.Header.Set("Authorization", authorization)
		}
		rec := s.do(r)
		if rec.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("%d without Cache-Control: no-store", rec.Code)
		}
		var v struct {
			Error       string `json:"error"`
			AccessToken string `json:"access_token"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
			t.Fatalf("%d is not JSON: %q", rec.Code, rec.Body)
		}
		switch {
		case rec.Code == http.StatusOK:
			if v.AccessToken == "" || !strings.Contains(body+basicSecret(authorization), s.clientSecret) {
				t.Fatalf("200 for Authorization %q, body %q", authorization, body)
			}
		case rec.Code == http.StatusBadRequest && deviceErrorCodes[v.Error] && isDeviceGrant(body):
		case (rec.Code != http.StatusBadRequest && rec.Code != http.StatusUnauthorized) || !oauthErrorCodes[v.Error]:
			t.Fatalf("Authorization %q, body %q: %d %s", authorization, body, rec.Code, rec.Body)
		}
	})
}

// basicSecret is what a Basic header decodes to, or "".
func basicSecret(authorization string) string {
	_, enc, _ := strings.Cut(authorization, " ")
	b, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(enc))
	return string(b)
}

// FuzzAuthorizeEndpoint: whatever the query, the authorization endpoint
// never fails on our side and redirects only to the client's registered
// URI or to this site's own sign-in page, never anywhere else.
func FuzzAuthorizeEndpoint(f *testing.F) {
	s := newFuzzSite(f)
	base := url.Values{"client_id": {s.clientID}, "redirect_uri": {fuzzRedirect}, "response_type": {"code"},
		"scope": {"openid"}, "state": {"st"}}
	for _, edit := range []func(url.Values){
		func(url.Values) {},
		func(v url.Values) { v.Set("redirect_uri", "https://evil.example/cb") },
		func(v url.Values) { v.Set("prompt", "none") },
		func(v url.Values) { v.Set("response_type", "id_token token"); v.Set("nonce", "n\xff") },
		func(v url.Values) { v.Set("response_mode", "form_post"); v.Set("state", "\x00<script>") },
		func(v url.Values) { v.Set("client_id", strings.ToUpper(s.clientID)); v.Add("scope", "x") },
		func(v url.Values) { v.Set("gg_resume", "1.abc"); v.Set("max_age", "0") },
	} {
		v := url.Values{}
		for k, vs := range base {
			v[k] = append([]string(nil), vs...)
		}
		edit(v)
		f.Add(v.Encode())
	}
	f.Fuzz(func(t *testing.T, query string) {
		r := httptest.NewRequest(http.MethodGet, s.issuer+"/oauth/authorize", nil)
		r.URL.RawQuery = query
		rec := s.do(r)
		if rec.Code >= 500 {
			t.Fatalf("%q: %d", query, rec.Code)
		}
		if loc := rec.Header().Get("Location"); loc != "" && !strings.HasPrefix(loc, fuzzRedirect) && !localPath(loc) {
			t.Fatalf("%q redirects to %q", query, loc)
		}
	})
}

// localPath: a path on this site, which no browser reads as another host.
func localPath(loc string) bool {
	return strings.HasPrefix(loc, "/") && !strings.HasPrefix(loc, "//") && !strings.ContainsAny(loc, "\\\t\r\n")
}

// FuzzHostHeader: whatever the Host header, the server never fails on our
// side: what tenancy.ParseHost refuses gets 400 (never the default
// tenant), and what it accepts gets a tenant's own issuer.
func FuzzHostHeader(f *testing.F) {
	s := newFuzzSite(f)
	for _, h := range []string{"localhost:8443", "LOCALHOST", "[::1", "[::1]:8443", "host:port:extra", "a b", "x/y",
		"\x00", "sso.example.org.", "münchen.example", ""} {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, host string) {
		r := httptest.NewRequest(http.MethodGet, s.issuer+"/.well-known/openid-configuration", nil)
		r.Host = host
		rec := s.do(r)
		if _, err := tenancy.ParseHost(host); err != nil {
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("Host %q is not a host (%v), yet got %d", host, err, rec.Code)
			}
			return
		}
		var doc struct{ Issuer string }
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &doc) != nil || doc.Issuer != s.issuer {
			t.Fatalf("Host %q: %d, issuer %q", host, rec.Code, doc.Issuer)
		}
	})
}

// FuzzBearerAndCookies: whatever a browser or client sends as credentials
// (Authorization, Cookie), userinfo answers 401 in RFC 6750's form, and
// the sign-in, account and console pages never fail on our side.
func FuzzBearerAndCookies(f *testing.F) {
	s := newFuzzSite(f)
	for _, seed := range [][2]string{
		{"Bearer a.b.c", "gg_session=" + strings.Repeat("A", 43)},
		{"Bearer", "__Host-gg_csrf=x; gg_session=\x00"},
		{"bearer  x y", "=; ;;"}, {"Basic " + s.clientIDSecret, ""}, {"", "gg_session=\"" + strings.Repeat("%", 43) + "\""},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, authorization, cookie string) {
		r := httptest.NewRequest(http.MethodGet, s.issuer+"/oauth/userinfo", nil)
		r.Header.Set("Authorization", authorization)
		r.Header.Set("Cookie", cookie)
		if rec := s.do(r); (rec.Code != http.StatusUnauthorized && rec.Code != http.StatusBadRequest) ||
			!strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") {
			t.Fatalf("userinfo with %q: %d %q", authorization, rec.Code, rec.Header().Get("WWW-Authenticate"))
		}
		for _, path := range []string{"/login", "/account/", "/admin/", "/log-out"} {
			r := httptest.NewRequest(http.MethodGet, s.issuer+path, nil)
			r.Header.Set("Cookie", cookie)
			if rec := s.do(r); rec.Code >= 500 {
				t.Fatalf("%s with Cookie %q: %d", path, cookie, rec.Code)
			}
		}
	})
}
