package clients

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
)

// problemsOf returns err's problems as "field: message" lines.
func problemsOf(t *testing.T, err error) []string {
	t.Helper()
	inv, ok := errors.AsType[*problem.Invalid](err)
	if !ok {
		t.Fatalf("error %v (%T) is not *problem.Invalid", err, err)
	}
	var out []string
	for _, p := range inv.Problems {
		out = append(out, p.String())
	}
	return out
}

func hasProblem(lines []string, want string) bool {
	return slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, want) })
}

// TestEveryBadRedirectURIIsReported sends one list with every kind of bad
// URI: each must come back as its own problem naming the URI and why.
func TestEveryBadRedirectURIIsReported(t *testing.T) {
	bad := map[string]string{
		"http://app.example/cb":         `"http://app.example/cb" must use https`,
		"https://app.example/cb#done":   `"https://app.example/cb#done" must not contain a fragment`,
		"app.example/cb":                `"app.example/cb" must be an absolute URI`,
		"https://*.app.example/cb":      `"https://*.app.example/cb" must not contain a wildcard`,
		"https://user@app.example/cb":   `"https://user@app.example/cb" must not contain user information`,
		"HTTPS://app.example/cb":        `"HTTPS://app.example/cb" must have its scheme in lower case`,
		"https://App.example/cb":        `"https://App.example/cb" must have its host in lower case`,
		"https://app.example:0/cb":      `"https://app.example:0/cb" has an invalid port`,
		"https://app.example/a/../cb":   `"https://app.example/a/../cb" must not contain . or ..`,
		"javascript://x/%0aalert(1)":    `"javascript://x/%0aalert(1)" must use https`,
		"http://localhost.evil.example": `"http://localhost.evil.example" must use https`,
		"https://app.example/c b":       `"https://app.example/c b" contains a space`,
	}
	uris := []string{"https://ok.example/cb"}
	for u := range bad {
		uris = append(uris, u)
	}
	err := Input{Name: "X", RedirectURIs: uris, PostLogoutRedirectURIs: []string{"http://app.example/bye"}}.Validate()
	lines := problemsOf(t, err)
	for u, want := range bad {
		if !hasProblem(lines, "redirect_uris: "+want) {
			t.Errorf("no problem for %q (want %q) in\n%s", u, want, strings.Join(lines, "\n"))
		}
	}
	if !hasProblem(lines, `post_logout_redirect_uris: "http://app.example/bye" must use https`) {
		t.Errorf("post-logout URI not checked: %q", lines)
	}
	if want := len(bad) + 1; len(lines) != want {
		t.Errorf("%d problems, want %d (one per bad URI):\n%s", len(lines), want, strings.Join(lines, "\n"))
	}
}

func TestGoodRedirectURIs(t *testing.T) {
	for _, u := range []string{
		"http://localhost:3000/cb", "http://localhost/cb", "http://127.0.0.1:8080/cb", "http://[::1]/cb",
		"https://app.example/cb", "https://app.example:8443/cb?tenant=a&x=1", "https://xn--bcher-kva.example/",
	} {
		in := Input{Name: "X", RedirectURIs: []string{u}, PostLogoutRedirectURIs: []string{u}, BackchannelLogoutURI: u}
		if err := in.Validate(); err != nil {
			t.Errorf("%s refused: %v", u, err)
		}
	}
}

func TestInputRules(t *testing.T) {
	tests := []struct {
		name string
		in   Input
		want []string // one substring per expected problem
	}{
		{"name required", Input{Name: "  ", RedirectURIs: []string{"https://a.example/cb"}}, []string{"name: is required"}},
		{"name too long", Input{Name: strings.Repeat("é", 201), RedirectURIs: []string{"https://a.example/cb"}}, []string{"name: must be at most 200"}},
		{"name control", Input{Name: "A\nB", RedirectURIs: []string{"https://a.example/cb"}}, []string{"name: must not contain control"}},
		{"no redirect URI", Input{Name: "A", RedirectURIs: []string{}}, []string{"redirect_uris: at least one is required"}},
		{"only empty entries", Input{Name: "A", RedirectURIs: []string{" ", ""}}, []string{"redirect_uris: at least one is required", "redirect_uris: must not hold an empty entry"}},
		{"a stray comma", Input{Name: "A", RedirectURIs: []string{"https://a.example/cb", ""}}, []string{"redirect_uris: must not hold an empty entry"}},
		{"empty group entry", Input{Name: "A", RedirectURIs: []string{"https://a.example/cb"}, PermittedGroups: []string{"Board", " "}}, []string{"permitted_groups: must not hold an empty entry"}},
		{"empty post-logout entry", Input{Name: "A", RedirectURIs: []string{"https://a.example/cb"}, PostLogoutRedirectURIs: []string{""}}, []string{"post_logout_redirect_uris: must not hold an empty entry"}},
		{"name with a trailing newline", Input{Name: "A\n", RedirectURIs: []string{"https://a.example/cb"}}, []string{"name: must not contain control"}},
		{"URI with a trailing newline", Input{Name: "A", RedirectURIs: []string{"https://a.example/cb\n"}}, []string{"redirect_uris: "}},
		{"duplicate URI", Input{Name: "A", RedirectURIs: []string{"https://a.example/cb", " https://a.example/cb"}}, []string{`redirect_uris: "https://a.example/cb" is listed twice`}},
		{"too many URIs", Input{Name: "A", RedirectURIs: slices.Repeat([]string{"https://a.example/"}, MaxURIs+1)}, []string{"at most 100 URIs"}},
		{"unknown alg", Input{Name: "A", RedirectURIs: []string{"https://a.example/cb"}, IDTokenAlg: "none"}, []string{`id_token_alg: "none" is not one of RS256, ES256, EdDSA, HS256`}},
		{"HS256 public", Input{Name: "A", RedirectURIs: []string{"https://a.example/cb"}, IDTokenAlg: "HS256", Public: true}, []string{"id_token_alg: HS256 is keyed with the client secret"}},
		{"backchannel http", Input{Name: "A", RedirectURIs: []string{"https://a.example/cb"}, BackchannelLogoutURI: "http://a.example/bc"}, []string{`backchannel_logout_uri: "http://a.example/bc" must use https`}},
		{"backchannel fragment", Input{Name: "A", RedirectURIs: []string{"https://a.example/cb"}, BackchannelLogoutURI: "https://a.example/bc#x"}, []string{"must not contain a fragment"}},
		{"unknown grant", Input{Name: "A", RedirectURIs: []string{"https://a.example/cb"}, GrantTypes: []string{"password"}}, []string{`grant_types: "password" is not one of`}},
		{"duplicate grant", Input{Name: "A", RedirectURIs: []string{"https://a.example/cb"}, GrantTypes: []string{"implicit", "IMPLICIT"}}, []string{"grant_types: implicit is listed twice"}},
		{"empty grants", Input{Name: "A", RedirectURIs: []string{"https://a.example/cb"}, GrantTypes: []string{}}, []string{"grant_types: at least one is required"}},
		{"empty grant entry", Input{Name: "A", RedirectURIs: []string{"https://a.example/cb"}, GrantTypes: []string{"authorization_code", ""}}, []string{"grant_types: must not hold an empty entry"}},
		{"refresh alone", Input{Name: "A", RedirectURIs: []string{"https://a.example/cb"}, GrantTypes: []string{"refresh_token", "implicit"}}, []string{"refresh_token needs authorization_code"}},
		{"code without redirect URIs", Input{Name: "A", GrantTypes: []string{model.GrantDeviceCode, "authorization_code"}}, []string{"redirect_uris: at least one is required"}},
		{"public client_credentials", Input{Name: "A", GrantTypes: []string{"client_credentials"}, Public: true}, []string{"grant_types: client_credentials needs a client secret"}},
		{"too many groups", Input{Name: "A", RedirectURIs: []string{"https://a.example/cb"}, PermittedGroups: slices.Repeat([]string{"g"}, MaxGroups+1)}, []string{"permitted_groups: must list at most 100"}},
		{"all at once", Input{Name: "", RedirectURIs: []string{"http://a.example/cb"}, IDTokenAlg: "XS1", GrantTypes: []string{"x"}},
			[]string{"name:", "redirect_uris:", "id_token_alg:", "grant_types:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := problemsOf(t, tt.in.Validate())
			for _, w := range tt.want {
				if !hasProblem(lines, w) {
					t.Errorf("problems %q lack %q", lines, w)
				}
			}
			if len(lines) != len(tt.want) {
				t.Errorf("problems %q, want exactly %d", lines, len(tt.want))
			}
		})
	}
}

// TestDeviceClientNeedsNoRedirect: a client that only signs in devices
// (RFC 8628) registers no redirect URI, and may refresh.
func TestDeviceClientNeedsNoRedirect(t *testing.T) {
	in := Input{Name: "Lobby screen", GrantTypes: []string{model.GrantDeviceCode, model.GrantRefreshToken}, Public: true}
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestInputNormalization(t *testing.T) {
	st := Input{Name: " A ", RedirectURIs: []string{" https://a.example/cb ", ""}, IDTokenAlg: "es256",
		GrantTypes: []string{"refresh_token", " Authorization_Code"}}.settings()
	if st.Name != "A" || !slices.Equal(st.RedirectURIs, []string{"https://a.example/cb"}) || st.IDTokenAlg != model.AlgES256 ||
		!slices.Equal(st.GrantTypes, []string{"authorization_code", "refresh_token"}) {
		t.Fatalf("settings = %+v", st)
	}
	if d := (Input{Name: "A"}).settings(); d.IDTokenAlg != model.AlgRS256 || !slices.Equal(d.GrantTypes, defaultGrantTypes) {
		t.Fatalf("defaults = %+v", d)
	}
	// Machine-to-machine clients need no redirect URI.
	if err := (Input{Name: "Batch job", GrantTypes: []string{"client_credentials"}}).Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestPatchRules(t *testing.T) {
	if lines := problemsOf(t, Patch{}.Validate()); !slices.Equal(lines, []string{"nothing to change"}) {
		t.Fatalf("empty patch: %q", lines)
	}
	bad, alg, empty := []string{"http://a.example/cb", "https://b.example/#x"}, "rs512", []string{}
	lines := problemsOf(t, Patch{RedirectURIs: &bad, IDTokenAlg: &alg, GrantTypes: &empty}.Validate())
	for _, w := range []string{`"http://a.example/cb" must use https`, `"https://b.example/#x" must not contain a fragment`,
		`id_token_alg: "rs512" is not one of`, "grant_types: at least one is required"} {
		if !hasProblem(lines, w) {
			t.Errorf("problems %q lack %q", lines, w)
		}
	}
	// What the CLI's "https://a/cb," and the API's ["https://a/cb", ""] send,
	// and an algorithm given empty: refused, never read as a default.
	stray, groups, none := []string{"https://a.example/cb", ""}, []string{"Board", " "}, " "
	lines = problemsOf(t, Patch{RedirectURIs: &stray, PermittedGroups: &groups, IDTokenAlg: &none}.Validate())
	for _, w := range []string{"redirect_uris: must not hold an empty entry", "permitted_groups: must not hold an empty entry",
		"id_token_alg: must be one of RS256"} {
		if !hasProblem(lines, w) {
			t.Errorf("problems %q lack %q", lines, w)
		}
	}
}

// TestCreateReportsUnknownGroupsWithTheRest: group names need the store,
// yet their problems come in the same report as the others, and nothing
// is stored.
func TestCreateReportsUnknownGroupsWithTheRest(t *testing.T) {
	f := newFixture(t)
	f.group("Board")
	in := web()
	in.Name = ""
	in.PermittedGroups = []string{"board", "Staff", "Alumni"}
	lines := problemsOf(t, func() error { _, err := f.svc.Create(context.Background(), "cli", f.tenant, in); return err }())
	for _, w := range []string{"name: is required", `permitted_groups: no group named "Staff"`, `permitted_groups: no group named "Alumni"`} {
		if !hasProblem(lines, w) {
			t.Errorf("problems %q lack %q", lines, w)
		}
	}
	if len(lines) != 3 {
		t.Errorf("problems %q: the known group (in another case) must not be one", lines)
	}
	if vs, err := f.svc.List(context.Background(), f.tenant); err != nil || len(vs) != 0 {
		t.Fatalf("List after refused create = %d clients, %v", len(vs), err)
	}
}
