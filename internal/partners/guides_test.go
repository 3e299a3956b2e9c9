package partners_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/partners"
)

// TestGuidesPrintTheTestedConfiguration: each guide prints, verbatim, its
// relying party's configuration rendered with the example values (the
// template the flow tests run), the sign-out link, the words a refused
// member reads, and the client setting it needs; the index lists it.
func TestGuidesPrintTheTestedConfiguration(t *testing.T) {
	index := readRepoFile(t, "docs/partners/README.md")
	for _, rp := range partners.All() {
		t.Run(rp.Slug, func(t *testing.T) {
			guide := readRepoFile(t, rp.Guide)
			conf, err := rp.Render(partners.Example(rp))
			if err != nil {
				t.Fatal(err)
			}
			for what, want := range map[string]string{
				"the configuration":           "\n" + conf + "```\n",
				"the sign-out link":           "\n" + rp.SignOutURL(partners.Example(rp)) + "\n",
				"what a refused member reads": rp.Denied,
				"the redirect URL":            "--redirect-uris " + partners.Example(rp).RedirectURI,
				"the post-logout URL":         "--post-logout-redirect-uris " + partners.Example(rp).PostLogoutRedirectURI,
			} {
				if !strings.Contains(guide, want) {
					t.Errorf("%s does not print %s verbatim:\n%s", rp.Guide, what, want)
				}
			}
			// The switch is in the guide's client add command exactly when the
			// relying party needs it.
			if got := strings.Contains(guide, "\\\n  --omit-authorization-response-iss\n"); got != rp.OmitIss {
				t.Errorf("%s registers the client with --omit-authorization-response-iss: %v, want %v", rp.Guide, got, rp.OmitIss)
			}
			if !strings.Contains(index, "("+filepath.Base(rp.Guide)+")") {
				t.Errorf("docs/partners/README.md does not link %s", rp.Guide)
			}
		})
	}
}

// readRepoFile reads a file by its path in the repository.
func readRepoFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(path)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
