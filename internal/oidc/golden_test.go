package oidc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/golden"
	"github.com/guildgate/guildgate/internal/oidc"
)

// volatile are the members whose values differ at every run (random ids,
// key material, times); golden files keep the name and say what is there.
var volatile = map[string]string{
	"kid": "<kid>", "n": "<modulus>", "x": "<point>", "y": "<point>", "sid": "<session id>", "jti": "<token id>",
	"iat": "<now>", "auth_time": "<sign-in time>", "nbf": "<now>", "at_hash": "<hash of the access token>",
	"c_hash": "<hash of the code>", "gid": "<grant id>", "updated_at": "<member's last change>",
	"expires_in": "<seconds left>",
}

// normalize replaces what changes between runs by stable placeholders:
// names in rename (the issuer, ids made by the test), members in
// volatile, and exp by its distance from iat, which is a rule.
func normalize(v any, rename map[string]string) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			if p, ok := volatile[k]; ok {
				out[k] = p
				continue
			}
			out[k] = normalize(x, rename)
		}
		if exp, ok := v["exp"].(float64); ok {
			if iat, ok := v["iat"].(float64); ok {
				out["exp"] = fmt.Sprintf("<now> + %ds", int(exp-iat))
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = normalize(x, rename)
		}
		return out
	case string:
		for from, to := range rename {
			v = strings.ReplaceAll(v, from, to)
		}
		return v
	}
	return v
}

// TestGolden pins what relying parties read: the discovery document, the
// JWKS's shape, and the claims of an ID token, its access token and
// userinfo for a member in a group, asked with every scope.
func TestGolden(t *testing.T) {
	h := newHarness(t)
	board := mustGroup(t, h, "Board")
	c := h.addClient(clients.Input{GroupsClaim: true})
	m := h.addMember("ada@example.org")
	if err := h.Store.Groups().AddMember(context.Background(), h.Tenant.ID, board, m.ID); err != nil {
		t.Fatal(err)
	}
	rename := map[string]string{h.Tenant.Issuer: "https://issuer.example", c.ID: "<client id>", m.ID: "<member id>"}

	get := func(path string) reply {
		req, _ := http.NewRequest(http.MethodGet, h.URL+path, nil)
		r := h.do(req)
		if r.Status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
		}
		return r
	}
	golden.JSON(t, "discovery", normalize(get(oidc.PathDiscovery).JSON, rename))
	jwks := get(oidc.PathJWKS).JSON
	jwks = normalize(jwks, rename).(map[string]any)
	keys, _ := jwks["keys"].([]any)
	slices.SortFunc(keys, func(a, b any) int { // the order keys were made in is not a rule
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		return bytes.Compare(ja, jb)
	})
	golden.JSON(t, "jwks", jwks)

	code, _ := h.newCode(c, m, codeSpec{Scopes: []string{"openid", "profile", "email", "offline_access"}, Nonce: "n-0S6_WzA2Mj"})
	tok := wantOK(t, h.exchange(c, code, nil))
	golden.JSON(t, "token_response", normalize(map[string]any{"fields": sortedKeys(tok.JSON), "token_type": tok.JSON["token_type"],
		"expires_in": tok.JSON["expires_in"], "scope": tok.JSON["scope"]}, rename))
	golden.JSON(t, "id_token_claims", normalize(claimsOf(t, tok.str("id_token")), rename))
	golden.JSON(t, "access_token_claims", normalize(claimsOf(t, tok.str("access_token")), rename))
	golden.JSON(t, "userinfo", normalize(h.userinfo(tok.str("access_token")).JSON, rename))
}

func sortedKeys(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}
