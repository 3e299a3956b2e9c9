package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/guildgate/guildgate/internal/testenv"
)

// TestSCIMDeactivationEndsAccess runs the real server: an organisation's
// directory provisions a member over SCIM, the member signs in to a
// partner app, and the directory's active:false ends it at once: userinfo
// answers 401 and the refresh token is refused. Another connection's
// token gets 401 and a user outside the connection's domains a SCIM 400.
func TestSCIMDeactivationEndsAccess(t *testing.T) {
	for _, backend := range backends {
		t.Run(string(backend), func(t *testing.T) {
			s := testenv.Start(t, backend, nil)
			// Drafts (no client secret yet): the login page still takes passwords for their domains.
			acme := connectionID(t, s, "Acme", "acme.example")
			other := connectionID(t, s, "Other", "other.example")
			token, otherToken := scimToken(t, s, acme), scimToken(t, s, other)
			var cc clientCreds
			must(t, json.Unmarshal([]byte(s.MustCLI(t, "", "client", "add", "--name", "RP", "--redirect-uris",
				replicaRedirect, "--json")), &cc))

			var hook struct{ ID string }
			must(t, json.Unmarshal([]byte(s.MustCLI(t, "", "webhook", "add", "--url", "https://partner.example/hooks",
				"--events", "member.created,member.disabled", "--json")), &hook))

			rp := s.Client(t)
			user := map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
				"userName": "ada@acme.example", "externalId": "00u1", "displayName": "Ada Lovelace", "active": true}
			status, created := scim(t, rp, s.URL, "POST", "/scim/v2/Users", token, user)
			if status != http.StatusCreated {
				t.Fatalf("create: %d %v", status, created)
			}
			id := created["id"].(string)
			if status, _ := scim(t, rp, s.URL, "GET", "/scim/v2/Users/"+id, otherToken, nil); status != http.StatusUnauthorized &&
				status != http.StatusNotFound {
				t.Fatalf("another connection's token read the user: %d", status)
			}
			if status, _ := scim(t, rp, s.URL, "GET", "/scim/v2/Users/"+id, "gscim_"+acme+".x", nil); status != http.StatusUnauthorized {
				t.Fatalf("a forged token: %d", status)
			}
			user["userName"], user["externalId"] = "eve@other.example", "00u2"
			if status, body := scim(t, rp, s.URL, "POST", "/scim/v2/Users", token, user); status != http.StatusBadRequest ||
				body["scimType"] != "invalidValue" {
				t.Fatalf("a user outside the connection's domains: %d %v", status, body)
			}

			s.MustCLI(t, "correct horse battery\n", "member", "set-password", "ada@acme.example", "--password-stdin")
			browser := s.Client(t)
			if resp := signIn(t, browser, s.URL, "ada@acme.example", "correct horse battery"); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign-in: %d", resp.StatusCode)
			}
			conf := &oauth2.Config{ClientID: cc.ID, ClientSecret: cc.Secret, RedirectURL: replicaRedirect,
				Scopes: []string{"openid", "email", "offline_access"},
				Endpoint: oauth2.Endpoint{AuthURL: s.URL + "/oauth/authorize", TokenURL: s.URL + "/oauth/token",
					AuthStyle: oauth2.AuthStyleInHeader}}
			verifier := oauth2.GenerateVerifier()
			resp, err := browser.Get(conf.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)))
			must(t, err)
			resp.Body.Close()
			loc, _ := url.Parse(resp.Header.Get("Location"))
			ctx := context.WithValue(context.Background(), oauth2.HTTPClient, rp)
			tok, err := conf.Exchange(ctx, loc.Query().Get("code"), oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatalf("token: %v (authorize answered %q)", err, resp.Header.Get("Location"))
			}
			if status := userinfo(t, rp, s.URL, tok.AccessToken); status != http.StatusOK {
				t.Fatalf("userinfo before deactivation: %d", status)
			}

			deactivate := map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
				"Operations": []map[string]any{{"op": "Replace", "path": "active", "value": "False"}}}
			if status, body := scim(t, rp, s.URL, "PATCH", "/scim/v2/Users/"+id, token, deactivate); status != http.StatusOK ||
				body["active"] != false {
				t.Fatalf("deactivate: %d %v", status, body)
			}
			if status := userinfo(t, rp, s.URL, tok.AccessToken); status != http.StatusUnauthorized {
				t.Fatalf("userinfo after deactivation: %d, want 401", status)
			}
			if _, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err == nil {
				t.Fatal("the refresh token survived deactivation")
			}
			if _, body, _ := page(t, browser, s.URL, "/login"); strings.Contains(body, "ada@acme.example") {
				t.Fatal("the browser session survived deactivation")
			}
			// The directory's changes are webhook events like any other
			// surface's; the refused user made none.
			var ds []struct {
				EventType string `json:"event_type"`
				MemberID  string `json:"member_id"`
			}
			must(t, json.Unmarshal([]byte(s.MustCLI(t, "", "webhook", "deliveries", hook.ID, "--json")), &ds))
			if len(ds) != 2 || ds[0].EventType != "member.disabled" || ds[1].EventType != "member.created" ||
				ds[0].MemberID != id || ds[1].MemberID != id {
				t.Fatalf("webhook deliveries of the SCIM changes: %+v", ds)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func connectionID(t *testing.T, s *testenv.Server, name, domain string) string {
	var c struct {
		ID string `json:"id"`
	}
	must(t, json.Unmarshal([]byte(s.MustCLI(t, "", "connection", "add", "--name", name, "--domains", domain, "--json")), &c))
	return c.ID
}

func scimToken(t *testing.T, s *testenv.Server, connID string) string {
	var v struct {
		Token string `json:"token"`
	}
	must(t, json.Unmarshal([]byte(s.MustCLI(t, "", "connection", "scim-token", connID, "--json")), &v))
	return v.Token
}

func scim(t *testing.T, c *http.Client, base, method, path, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		must(t, err)
		rd = bytes.NewReader(raw)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, base+path, rd)
	must(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := c.Do(req)
	must(t, err)
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func userinfo(t *testing.T, c *http.Client, base, accessToken string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/oauth/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, err := c.Do(req)
	must(t, err)
	resp.Body.Close()
	return resp.StatusCode
}
