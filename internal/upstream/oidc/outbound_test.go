package oidc_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/upstream"
	upoidc "github.com/guildgate/guildgate/internal/upstream/oidc"
	"github.com/guildgate/guildgate/internal/upstream/oidc/oidctest"
)

// server is a TLS server (httptest's certificate, which reach trusts)
// that counts the requests it gets.
func server(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	s := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s, &n
}

// TestSignInFollowsNoRedirect: the token endpoint, the JWKS and userinfo
// are named exactly by the provider's metadata; one that redirects
// elsewhere fails the sign-in, and the redirect's target gets nothing (not
// the code, not the client secret, not the access token).
func TestSignInFollowsNoRedirect(t *testing.T) {
	for _, field := range []string{"token_endpoint", "jwks_uri", "userinfo_endpoint"} {
		t.Run(field, func(t *testing.T) {
			sink, reached := server(t, func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "{}") })
			mover, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, sink.URL+"/stolen", http.StatusTemporaryRedirect)
			})
			p := newOP(t)
			p.Discovery = func(doc map[string]any) { doc[field] = mover.URL + "/moved" }
			_, err := signIn(t, p, connect(t, p, func(c *model.Connection) { c.FetchUserinfo = true }))
			if err == nil {
				t.Fatal("a redirected endpoint still signed in")
			}
			if n := reached.Load(); n != 0 {
				t.Fatalf("the redirect's target got %d request(s)", n)
			}
		})
	}
}

// TestSignInAnswersBounded: a JWKS or userinfo answer past its bound fails
// the sign-in instead of being read into memory whole.
func TestSignInAnswersBounded(t *testing.T) {
	pad := strings.Repeat("x", 300<<10)
	t.Run("userinfo", func(t *testing.T) {
		p := newOP(t)
		p.Userinfo = map[string]any{"sub": "user-1", "padding": pad}
		_, err := signIn(t, p, connect(t, p, func(c *model.Connection) { c.FetchUserinfo = true }))
		wantKind(t, err, upstream.Invalid)
		if !strings.Contains(err.Error(), "longer than") {
			t.Fatalf("error %v; want the size bound named", err)
		}
	})
	t.Run("jwks", func(t *testing.T) {
		p := newOP(t)
		keys := publishedKeys(t, p)
		var padding atomic.Bool
		elsewhere, _ := server(t, func(w http.ResponseWriter, _ *http.Request) {
			if padding.Load() {
				keys["padding"] = pad
			}
			json.NewEncoder(w).Encode(keys)
		})
		p.Discovery = func(doc map[string]any) { doc["jwks_uri"] = elsewhere.URL }
		if _, err := signIn(t, p, connect(t, p, nil)); err != nil {
			t.Fatalf("the same keys, unpadded: %v", err)
		}
		padding.Store(true)
		_, err := signIn(t, p, connect(t, p, nil))
		wantKind(t, err, upstream.Invalid)
		if !strings.Contains(err.Error(), "longer than") {
			t.Fatalf("error %v; want the size bound named", err)
		}
	})
}

func publishedKeys(t *testing.T, p *oidctest.Provider) map[string]any {
	t.Helper()
	resp, err := p.Server.Client().Get(p.URL + "/jwks")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var keys map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&keys); err != nil {
		t.Fatal(err)
	}
	return keys
}

// TestCheckSummariesQuoteNothing: whatever a provider (or whatever answers
// at the URLs a setup-link holder typed) sends back, a finding's summary
// is fixed words: no status, JSON, URL, address or network error. The
// message, for administrators, keeps the detail.
func TestCheckSummariesQuoteNothing(t *testing.T) {
	const marker = "MARKER-from-the-far-end"
	for _, tc := range []struct {
		name, check string
		op          func(p *oidctest.Provider)
	}{
		{"wrong issuer", "discovery", func(p *oidctest.Provider) {
			p.Discovery = func(d map[string]any) { d["issuer"] = "https://" + marker + ".example" }
		}},
		{"unreachable JWKS", "jwks", func(p *oidctest.Provider) {
			p.Discovery = func(d map[string]any) { d["jwks_uri"] = "https://127.0.0.1:1/" + marker }
		}},
		{"endpoint not https", "endpoints", func(p *oidctest.Provider) {
			p.Discovery = func(d map[string]any) { d["token_endpoint"] = "http://" + marker + ".example/token" }
		}},
		{"unknown redirect URI", "redirect_uri", func(p *oidctest.Provider) { p.RedirectURIs = []string{"https://other.example/cb"} }},
		{"wrong secret", "client_secret", func(p *oidctest.Provider) { p.ClientSecret = marker }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newOP(t)
			tc.op(p)
			fs := upoidc.Check(t.Context(), connection(p, nil), "upstream-secret", redirectURI, upoidc.Options{Outbound: reach(p)})
			failed := false
			for _, f := range fs {
				failed = failed || (!f.OK && f.Check == tc.check)
				if f.Summary == "" || strings.ContainsAny(f.Summary, ":/%\\"+"\"{}") || strings.Contains(f.Summary, marker) ||
					strings.Contains(f.Summary, "127.0.0.1") || strings.Contains(f.Summary, redirectURI) {
					t.Errorf("%s summary %q quotes what came back", f.Check, f.Summary)
				}
			}
			if !failed {
				t.Fatalf("findings %+v; want %s to fail", fs, tc.check)
			}
		})
	}
	// A failing discovery: the administrator's message names the status,
	// the summary stays fixed.
	bad, _ := server(t, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, marker)
	})
	p := newOP(t)
	fs := upoidc.Check(t.Context(), connection(p, func(c *model.Connection) { c.DiscoveryURL = bad.URL }), "s", redirectURI,
		upoidc.Options{Outbound: reach(p)})
	if len(fs) != 1 || fs[0].OK || fs[0].Summary != "the discovery document could not be fetched" || !strings.Contains(fs[0].Message, "500") {
		t.Fatalf("findings %+v", fs)
	}
}

// TestCheckLongSignInPage: a sign-in page longer than the probe reads is
// still an accepted client and redirect URI: its status is what counts.
func TestCheckLongSignInPage(t *testing.T) {
	page, _ := server(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "409600")
		io.WriteString(w, strings.Repeat("<script>/* sign in */</script>", 409600/30)+strings.Repeat(" ", 409600%30))
	})
	p := newOP(t)
	p.Discovery = func(d map[string]any) { d["authorization_endpoint"] = page.URL + "/authorize" }
	for _, f := range upoidc.Check(t.Context(), connection(p, nil), p.ClientSecret, redirectURI, upoidc.Options{Outbound: reach(p)}) {
		if !f.OK {
			t.Fatalf("%s: %s", f.Check, f.Message)
		}
	}
}
