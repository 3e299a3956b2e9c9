package federation_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/testenv"
	"github.com/guildgate/guildgate/internal/upstream/oidc/oidctest"
)

type finding struct {
	Check   string `json:"check"`
	OK      bool   `json:"ok"`
	Message string `json:"message"`
}

// testConnection runs `guildgate connection test` and returns its findings
// and exit status.
func testConnection(t *testing.T, s *testenv.Server, id string) ([]finding, int) {
	t.Helper()
	out, _, code := s.CLI(t, "", "connection", "test", id, "--json")
	var fs []finding
	if err := json.Unmarshal([]byte(out), &fs); err != nil {
		t.Fatalf("connection test printed no JSON (%v): %s", err, out)
	}
	return fs, code
}

// TestConnectionCheck: `connection test` names each problem in plain words.
func TestConnectionCheck(t *testing.T) {
	s := startWithUpstreams(t, testenv.SQLite)
	p := oidctest.New(t, &upstreamCert)
	p.RedirectURIs = []string{s.URL + "/auth/sso/callback"}
	id := addConnection(t, s, p.ClientSecret, "--name", "Acme", "--discovery-url", p.URL, "--client-id", p.ClientID,
		"--domains", "acme.example")
	if fs, code := testConnection(t, s, id); code != 0 || len(fs) != 5 {
		t.Fatalf("healthy connection: exit %d, %+v", code, fs)
	}
	for _, tc := range []struct {
		name, check, words string
		op                 func(p *oidctest.Provider)
	}{
		{"wrong issuer", "discovery", "wrong issuer", func(p *oidctest.Provider) {
			p.Discovery = func(d map[string]any) { d["issuer"] = "https://elsewhere.example" }
		}},
		{"unreachable JWKS", "jwks", "unreachable", func(p *oidctest.Provider) {
			p.Discovery = func(d map[string]any) { d["jwks_uri"] = "https://127.0.0.1:1/keys" }
		}},
		{"http URL", "endpoints", "must be https", func(p *oidctest.Provider) {
			p.Discovery = func(d map[string]any) { d["token_endpoint"] = "http://idp.example/token" }
		}},
		{"redirect URI not registered", "redirect_uri", "does not seem to be registered", func(p *oidctest.Provider) {
			p.RedirectURIs = []string{"https://other.example/cb"}
		}},
		{"wrong secret", "client_secret", "refused the client id or secret", func(p *oidctest.Provider) {
			p.ClientSecret = "rotated-upstream"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p.Set(func(p *oidctest.Provider) {
				p.Discovery, p.RedirectURIs, p.ClientSecret = nil, []string{s.URL + "/auth/sso/callback"}, "upstream-secret"
				tc.op(p)
			})
			fs, code := testConnection(t, s, id)
			found := false
			for _, f := range fs {
				found = found || (!f.OK && f.Check == tc.check && strings.Contains(f.Message, tc.words))
			}
			if code != 1 || !found {
				t.Fatalf("exit %d, findings %+v; want a %s problem saying %q", code, fs, tc.check, tc.words)
			}
		})
	}
}
