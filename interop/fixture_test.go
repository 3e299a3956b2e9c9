package interop

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/guildgate/guildgate/internal/testenv"
)

// fixture is what the JS suite reads from INTEROP_FIXTURE (see fixture.mjs).
// Everything is registered through the real CLI, as an administrator would.
type fixture struct {
	Issuer        string            `json:"issuer"`
	RedirectURI   string            `json:"redirect_uri"`
	PostLogoutURI string            `json:"post_logout_redirect_uri"`
	Members       map[string]member `json:"members"`
	Clients       map[string]client `json:"clients"`
	// Keys are the private keys (JWK, ES256) of the clients registered with
	// a key set (keyedClients), for signing request objects and assertions.
	Keys map[string]json.RawMessage `json:"keys"`
}

type member struct {
	ID         string   `json:"id"`
	Email      string   `json:"email"`
	Password   string   `json:"password"`
	Name       string   `json:"name"`
	GivenName  string   `json:"given_name"`
	FamilyName string   `json:"family_name"`
	LegacyID   string   `json:"legacy_id"`
	Status     string   `json:"status"`
	Groups     []string `json:"groups"`
}

// client is the CLI's --json view, of which the suite needs these fields.
type client struct {
	ClientID     string   `json:"client_id"`
	ClientSecret string   `json:"client_secret"`
	IDTokenAlg   string   `json:"id_token_alg"`
	Public       bool     `json:"public"`
	GrantTypes   []string `json:"grant_types"`
}

// clientFlags names each fixture client and how it is registered: one per
// ID-token algorithm, a public (PKCE) client, a client_credentials-only
// service, and one limited to the "board" group. The clients the implicit
// and hybrid tests use opt in to the implicit grant, which new clients do
// not get by default (RFC 9700); hs256 and board keep the default.
var clientFlags = map[string][]string{
	"rs256": {"--redirect-uris", redirectURI, "--post-logout-redirect-uris", postLogoutURI, "--grant-types", withImplicit},
	"es256": {"--redirect-uris", redirectURI, "--id-token-alg", "ES256", "--grant-types", withImplicit},
	"eddsa": {"--redirect-uris", redirectURI, "--id-token-alg", "EdDSA", "--grant-types", withImplicit},
	"hs256": {"--redirect-uris", redirectURI, "--id-token-alg", "HS256", "--post-logout-redirect-uris", postLogoutURI},
	"public": {"--redirect-uris", redirectURI, "--public", "--grant-types", "authorization_code,refresh_token",
		"--post-logout-redirect-uris", postLogoutURI},
	"service": {"--grant-types", "client_credentials"},
	"board":   {"--redirect-uris", redirectURI, "--groups", "board"},
	// dpop is a public client whose tokens must be DPoP-bound (RFC 9449).
	"dpop": {"--redirect-uris", redirectURI, "--public", "--require-dpop", "--grant-types", "authorization_code,refresh_token"},
	// device is a public client of the device flow (RFC 8628), with no
	// redirect URI; devicesecret one with a secret, which authenticates at
	// the device authorization endpoint too.
	"device":       {"--public", "--grant-types", deviceGrant + ",refresh_token"},
	"devicesecret": {"--grant-types", deviceGrant},
}

const deviceGrant = "urn:ietf:params:oauth:grant-type:device_code"

const withImplicit = "authorization_code,implicit,refresh_token"

// keyedClients register a public key set (--jwks-file) of a key made for
// the run; the suite gets the private half in fixture.Keys. par must push
// its requests; pkjwt authenticates with private_key_jwt only.
var keyedClients = map[string][]string{
	"par":   {"--redirect-uris", redirectURI, "--require-par"},
	"pkjwt": {"--redirect-uris", redirectURI, "--token-auth", "private_key_jwt"},
}

func newFixture(t *testing.T, s *testenv.Server) fixture {
	t.Helper()
	fx := fixture{Issuer: s.URL, RedirectURI: redirectURI, PostLogoutURI: postLogoutURI,
		Members: map[string]member{}, Clients: map[string]client{}}
	for _, g := range []string{"board", "volunteers"} {
		s.MustCLI(t, "", "group", "add", g)
	}
	fx.Members["ada"] = addMember(t, s, member{Email: "ada@example.org", Name: "Ada Lovelace", GivenName: "Ada",
		FamilyName: "Lovelace", LegacyID: "L-1815", Status: "current", Groups: []string{"board", "volunteers"}})
	fx.Members["bob"] = addMember(t, s, member{Email: "bob@example.org", Name: "Bob Babbage", GivenName: "Bob",
		FamilyName: "Babbage", Status: "expired", Groups: []string{}})
	for name, flags := range clientFlags {
		fx.Clients[name] = addClient(t, s, name, flags)
	}
	fx.Keys = map[string]json.RawMessage{}
	for name, flags := range keyedClients {
		private, file := clientKey(t, name)
		fx.Keys[name] = private
		fx.Clients[name] = addClient(t, s, name, append(flags, "--jwks-file", file))
	}
	return fx
}

func addClient(t *testing.T, s *testenv.Server, name string, flags []string) client {
	t.Helper()
	// --data-dir: the CLI must read the server's master key, or it makes
	// its own and the server cannot decrypt the client secrets.
	args := append([]string{"client", "add", "--name", "interop " + name, "--data-dir", s.Config.DataDir}, flags...)
	var c client
	mustJSON(t, s.MustCLI(t, "", append(args, "--json")...), &c)
	return c
}

// clientKey makes an ES256 key for client name: its private JWK, and a file
// holding its public JWK Set.
func clientKey(t *testing.T, name string) (json.RawMessage, string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	private, err := json.Marshal(jose.JSONWebKey{Key: k, KeyID: name + "-1", Algorithm: "ES256", Use: "sig"})
	if err != nil {
		t.Fatal(err)
	}
	public, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: k.Public(), KeyID: name + "-1", Algorithm: "ES256", Use: "sig"}}})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), name+".jwks.json")
	if err := os.WriteFile(file, public, 0o600); err != nil {
		t.Fatal(err)
	}
	return private, file
}

func addMember(t *testing.T, s *testenv.Server, m member) member {
	t.Helper()
	m.Password = randomPassword(t)
	args := []string{"member", "add", "--email", m.Email, "--name", m.Name, "--given-name", m.GivenName,
		"--family-name", m.FamilyName, "--status", m.Status, "--email-verified", "--password-stdin", "--json"}
	if m.LegacyID != "" {
		args = append(args, "--legacy-id", m.LegacyID)
	}
	out := s.MustCLI(t, m.Password+"\n", args...)
	var v struct {
		ID string `json:"id"`
	}
	mustJSON(t, out, &v)
	m.ID = v.ID
	for _, g := range m.Groups {
		s.MustCLI(t, "", "group", "add-member", g, m.Email)
	}
	return m
}

func randomPassword(t *testing.T) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "pw-" + hex.EncodeToString(b)
}

func mustJSON(t *testing.T, out string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("CLI printed no JSON (%v):\n%s", err, out)
	}
}
