package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/secrets"
)

// jsonClient mirrors views.Client with the field names scripts read.
type jsonClient struct {
	ClientID               string   `json:"client_id"`
	ClientSecret           string   `json:"client_secret"`
	Name                   string   `json:"name"`
	RedirectURIs           []string `json:"redirect_uris"`
	PostLogoutRedirectURIs []string `json:"post_logout_redirect_uris"`
	PermittedGroups        []string `json:"permitted_groups"`
	IDTokenAlg             string   `json:"id_token_alg"`
	BackchannelLogoutURI   string   `json:"backchannel_logout_uri"`
	GrantTypes             []string `json:"grant_types"`
	Public                 bool     `json:"public"`
	GroupsClaim            bool     `json:"groups_claim"`
	SecretRotatingUntil    string   `json:"secret_rotating_until"`
	CreatedAt              string   `json:"created_at"`
	UpdatedAt              string   `json:"updated_at"`
}

var clientSecretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{43,}$`)

func (h *harness) addClient(extra ...string) jsonClient {
	h.t.Helper()
	var c jsonClient
	h.okJSON(&c, "", append([]string{"client", "add", "--name", "Events", "--redirect-uris", "https://events.example/cb"}, extra...)...)
	return c
}

func TestClientAddJSONFieldByField(t *testing.T) {
	h := newHarness(t)
	h.ok("", "group", "add", "Board")
	h.ok("", "group", "add", "Staff")
	var c jsonClient
	h.okJSON(&c, "", "client", "add", "--name", "Events app", "--redirect-uris", " https://events.example/cb, http://localhost:3000/cb ",
		"--groups", "board,Staff", "--id-token-alg", "ES256", "--post-logout-redirect-uris", "https://events.example/bye",
		"--backchannel-logout-uri", "https://events.example/bc", "--grant-types", "authorization_code,refresh_token,client_credentials",
		"--groups-claim")
	checks := map[string]bool{
		"client_id is a UUID":      uuidPattern.MatchString(c.ClientID),
		"client_secret is 256-bit": clientSecretPattern.MatchString(c.ClientSecret),
		"name":                     c.Name == "Events app",
		"redirect_uris trimmed":    slices.Equal(c.RedirectURIs, []string{"https://events.example/cb", "http://localhost:3000/cb"}),
		"post_logout":              slices.Equal(c.PostLogoutRedirectURIs, []string{"https://events.example/bye"}),
		"permitted_groups names":   slices.Equal(c.PermittedGroups, []string{"Board", "Staff"}),
		"id_token_alg":             c.IDTokenAlg == "ES256",
		"backchannel":              c.BackchannelLogoutURI == "https://events.example/bc",
		"grant_types":              slices.Equal(c.GrantTypes, []string{"authorization_code", "refresh_token", "client_credentials"}),
		"not public":               !c.Public,
		"groups_claim":             c.GroupsClaim,
		"no rotation shown":        c.SecretRotatingUntil == "",
		"stamps":                   c.CreatedAt != "" && c.UpdatedAt == c.CreatedAt,
	}
	for what, ok := range checks {
		if !ok {
			t.Errorf("%s: got %+v", what, c)
		}
	}
	out := h.ok("", "client", "add", "--name", "Events", "--redirect-uris", "https://e.example/cb", "--json")
	if !strings.Contains(out, `"client_secret": "`) || strings.Contains(out, "secret_rotating_until") {
		t.Fatalf("raw JSON:\n%s", out)
	}
}

func TestClientCommands(t *testing.T) {
	h := newHarness(t)
	c := h.addClient()
	// RFC 9700: the code grant with refresh tokens; implicit only when asked for.
	if !slices.Equal(c.GrantTypes, []string{"authorization_code", "refresh_token"}) || c.IDTokenAlg != "RS256" || len(c.PermittedGroups) != 0 {
		t.Fatalf("defaults: %+v", c)
	}
	var list []jsonClient
	h.okJSON(&list, "", "client", "list")
	if len(list) != 1 || list[0].ClientSecret != c.ClientSecret || list[0].ClientID != c.ClientID {
		t.Fatalf("list must show the secret: %+v", list)
	}
	var shown jsonClient
	h.okJSON(&shown, "", "client", "show", strings.ToUpper(c.ClientID)) // partners upper-case GUIDs
	if !reflectEqual(shown, c) {
		t.Fatalf("show = %+v\nadd  = %+v", shown, c)
	}
	text := h.ok("", "client", "show", c.ClientID)
	for _, want := range []string{"client_id:", c.ClientID, "client_secret:", c.ClientSecret, "permitted_groups:", "(every member)", "redirect_uris:"} {
		if !strings.Contains(text, want) {
			t.Errorf("text show lacks %q:\n%s", want, text)
		}
	}
	var upd jsonClient
	h.okJSON(&upd, "", "client", "update", c.ClientID, "--name", "Events 2", "--public", "--grant-types", "authorization_code")
	if upd.Name != "Events 2" || !upd.Public || upd.ClientSecret != "" || !slices.Equal(upd.RedirectURIs, c.RedirectURIs) {
		t.Fatalf("update = %+v", upd)
	}
	h.okJSON(&upd, "", "client", "update", "--public=false", c.ClientID) // flags before the id work too
	if upd.Public || !clientSecretPattern.MatchString(upd.ClientSecret) || upd.ClientSecret == c.ClientSecret {
		t.Fatalf("made confidential again: %+v", upd)
	}
	var rot jsonClient
	h.okJSON(&rot, "", "client", "rotate-secret", c.ClientID, "--overlap", "1h")
	until, err := time.Parse(time.RFC3339Nano, rot.SecretRotatingUntil)
	if err != nil || rot.ClientSecret == upd.ClientSecret || time.Until(until) < 59*time.Minute {
		t.Fatalf("rotate: %+v (%v)", rot, err)
	}
	if text := h.ok("", "client", "list"); !strings.Contains(text, "secret_rotating_until:") || !strings.Contains(text, rot.ClientSecret) {
		t.Fatalf("text list:\n%s", text)
	}
	var rot0 jsonClient // fresh: Unmarshal leaves absent fields as they were
	h.okJSON(&rot0, "", "client", "rotate-secret", c.ClientID, "--overlap", "0")
	if rot0.SecretRotatingUntil != "" || rot0.ClientSecret == rot.ClientSecret {
		t.Fatalf("overlap 0 left a rotation running: %+v", rot0)
	}
	var del jsonClient
	h.okJSON(&del, "", "client", "delete", c.ClientID)
	if del.ClientID != c.ClientID || del.ClientSecret != "" {
		t.Fatalf("delete printed %+v", del)
	}
	h.okJSON(&list, "", "client", "list")
	if len(list) != 0 {
		t.Fatalf("after delete: %+v", list)
	}
	if text := h.ok("", "client", "list"); !strings.Contains(text, "no clients") {
		t.Fatalf("empty text list: %q", text)
	}
}

func reflectEqual(a, b jsonClient) bool {
	return a.ClientID == b.ClientID && a.ClientSecret == b.ClientSecret && a.Name == b.Name &&
		slices.Equal(a.RedirectURIs, b.RedirectURIs) && slices.Equal(a.GrantTypes, b.GrantTypes) &&
		a.CreatedAt == b.CreatedAt && a.UpdatedAt == b.UpdatedAt && a.IDTokenAlg == b.IDTokenAlg
}

// TestClientSecretNotInDatabaseFile reads the SQLite files themselves, WAL
// included, after `client add`.
func TestClientSecretNotInDatabaseFile(t *testing.T) {
	h := newHarness(t)
	c := h.addClient()
	paths, _ := filepath.Glob(h.db + "*")
	var raw []byte
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		raw = append(raw, b...)
	}
	if !bytes.Contains(raw, []byte(c.ClientID)) {
		t.Fatal("the client is not in the files read; the check would prove nothing")
	}
	if bytes.Contains(raw, []byte(c.ClientSecret)) {
		t.Fatal("the client secret is stored in plain text")
	}
}

// TestClientMasterKey: the key file is created beside the database with
// mode 0600, and another key cannot read the secrets.
func TestClientMasterKey(t *testing.T) {
	h := newHarness(t)
	r := h.run("client", "add", "--name", "Events", "--redirect-uris", "https://events.example/cb")
	keyFile := filepath.Join(filepath.Dir(h.db), secrets.KeyFileName)
	if r.code != 0 || !strings.Contains(r.stderr, "created the master key "+keyFile) {
		t.Fatalf("first add: exit %d, stderr %q", r.code, r.stderr)
	}
	if info, err := os.Stat(keyFile); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v", info, err)
	}
	h.env[secrets.EnvVar] = secrets.EncodeKey(secrets.GenerateKey())
	r = h.run("client", "list")
	if r.code != 1 || !strings.Contains(r.stderr, "cannot decrypt") || strings.Contains(r.stdout, "client_secret") {
		t.Fatalf("list under another key: exit %d, stderr %q, stdout %q", r.code, r.stderr, r.stdout)
	}
	h.env[secrets.EnvVar] = "not a key"
	h.fails(2, "GUILDGATE_MASTER_KEY: key 1 is not a base64-encoded 32-byte key", "", "client", "list")
}

func TestClientCredentialsOnlyClient(t *testing.T) {
	h := newHarness(t)
	var c jsonClient
	h.okJSON(&c, "", "client", "add", "--name", "Nightly sync", "--grant-types", "client_credentials")
	if len(c.RedirectURIs) != 0 || !slices.Equal(c.GrantTypes, []string{"client_credentials"}) || c.ClientSecret == "" {
		t.Fatalf("client_credentials client: %+v", c)
	}
}

// TestClientInvalidInputChangesNothing: each bad input exits 2 with a
// message naming what is wrong, and the clients (and everything else) stay
// as they were.
func TestClientInvalidInputChangesNothing(t *testing.T) {
	h := newHarness(t)
	h.ok("", "group", "add", "Board")
	hs := h.addClient("--id-token-alg", "HS256", "--groups", "Board")
	pub := h.addClient("--public")
	before := h.ok("", "client", "list", "--json") + h.snapshot()
	add := func(extra ...string) []string {
		return append([]string{"client", "add", "--name", "New app", "--redirect-uris", "https://new.example/cb"}, extra...)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing name", []string{"client", "add", "--redirect-uris", "https://a.example/cb"}, "guildgate: client add: missing required flag --name"},
		{"missing redirect URIs", []string{"client", "add", "--name", "A"}, "guildgate: redirect_uris: at least one is required (unless the grant types are only client_credentials, device_code and refresh_token)"},
		{"empty redirect URIs", []string{"client", "add", "--name", "A", "--redirect-uris", " , "}, "guildgate: redirect_uris: at least one is required"},
		{"http not loopback", add("--redirect-uris", "http://app.example/cb"), `guildgate: redirect_uris: "http://app.example/cb" must use https`},
		{"fragment", add("--redirect-uris", "https://app.example/cb#x"), `guildgate: redirect_uris: "https://app.example/cb#x" must not contain a fragment`},
		{"each bad URI named", add("--redirect-uris", "https://ok.example/cb,http://a.example/cb,https://b.example/#x"),
			"guildgate: redirect_uris: \"http://a.example/cb\" must use https: http is allowed only for localhost, 127.0.0.1 and [::1].\nguildgate: redirect_uris: \"https://b.example/#x\" must not contain a fragment"},
		{"duplicate URI", add("--redirect-uris", "https://a.example/cb,https://a.example/cb"), `guildgate: redirect_uris: "https://a.example/cb" is listed twice`},
		{"bad post-logout URI", add("--post-logout-redirect-uris", "ftp://a.example/"), `guildgate: post_logout_redirect_uris: "ftp://a.example/" must use https`},
		{"bad back-channel URI", add("--backchannel-logout-uri", "http://a.example/bc"), `guildgate: backchannel_logout_uri: "http://a.example/bc" must use https`},
		{"unknown group", add("--groups", "Board,Nobody"), `guildgate: permitted_groups: no group named "Nobody"`},
		{"unknown alg", add("--id-token-alg", "RS512"), `guildgate: id_token_alg: "RS512" is not one of RS256, ES256, EdDSA, HS256`},
		{"HS256 public", add("--id-token-alg", "HS256", "--public"), "guildgate: id_token_alg: HS256 is keyed with the client secret, and a public client has none"},
		{"public client_credentials", add("--public", "--grant-types", "client_credentials"), "guildgate: grant_types: client_credentials needs a client secret"},
		{"unknown grant", add("--grant-types", "password"), `guildgate: grant_types: "password" is not one of authorization_code, implicit, refresh_token, client_credentials`},
		{"control character in name", []string{"client", "add", "--name", "A\x1b[2J", "--redirect-uris", "https://a.example/cb"}, "guildgate: name: must not contain control characters"},
		{"name too long", []string{"client", "add", "--name", strings.Repeat("n", 201), "--redirect-uris", "https://a.example/cb"}, "guildgate: name: must be at most 200 characters"},
		{"bad boolean", add("--public=maybe"), `"maybe" is not true or false`},
		{"unknown flag", add("--secret", "x"), "guildgate: client add: unknown flag -secret"},
		{"unknown tenant", add("--tenant", "nope"), `guildgate: no tenant with slug "nope"`},
		{"update unknown client", []string{"client", "update", "nope", "--name", "X"}, `guildgate: no client with id "nope"`},
		{"update nothing", []string{"client", "update", hs.ClientID}, "guildgate: nothing to change"},
		{"update bad URI", []string{"client", "update", hs.ClientID, "--redirect-uris", "https://*.example/cb"}, `must not contain a wildcard`},
		{"update makes HS256 public", []string{"client", "update", strings.ToUpper(hs.ClientID), "--public"}, "guildgate: id_token_alg: HS256 is keyed with the client secret"},
		{"update unknown group", []string{"client", "update", hs.ClientID, "--groups", "Staff"}, `guildgate: permitted_groups: no group named "Staff"`},
		{"show unknown", []string{"client", "show", "00000000-0000-4000-8000-000000000000"}, `guildgate: no client with id "00000000-0000-4000-8000-000000000000"`},
		{"show missing id", []string{"client", "show"}, "guildgate: client show: missing ID"},
		{"show extra argument", []string{"client", "show", hs.ClientID, "x"}, `guildgate: client show: unexpected argument "x" (expected only ID)`},
		{"delete unknown", []string{"client", "delete", "nope"}, `guildgate: no client with id "nope"`},
		{"rotate unknown", []string{"client", "rotate-secret", "nope"}, `guildgate: no client with id "nope"`},
		{"rotate negative overlap", []string{"client", "rotate-secret", hs.ClientID, "--overlap", "-1h"}, "guildgate: overlap: must be between 0 and 720h0m0s (30 days)"},
		{"rotate overlap too long", []string{"client", "rotate-secret", hs.ClientID, "--overlap", "721h"}, "guildgate: overlap: must be between 0"},
		{"rotate overlap in days", []string{"client", "rotate-secret", hs.ClientID, "--overlap", "1d"}, `invalid value "1d" for flag -overlap`},
		{"rotate public", []string{"client", "rotate-secret", pub.ClientID}, "is public: it has no secret to rotate"},
		{"unknown subcommand", []string{"client", "regenerate"}, `guildgate: unknown command "client regenerate"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.fails(2, tt.want, "", tt.args...)
			if after := h.ok("", "client", "list", "--json") + h.snapshot(); after != before {
				t.Fatalf("stored data changed:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}
