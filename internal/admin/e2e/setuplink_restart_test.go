package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/config"
	"github.com/guildgate/guildgate/internal/testenv"
)

// TestSetupLinkPrintedAtFirstStartOnly is finding 12: a restart prints no
// new working link (stdout ends up in logs) but says how to ask for one;
// `guildgate setup-link` makes one, which replaces the first.
func TestSetupLinkPrintedAtFirstStartOnly(t *testing.T) {
	first := testenv.Start(t, testenv.SQLite, nil)
	firstPath := bannerSetupPath(t, first)
	first.Stop()
	s := testenv.Start(t, testenv.SQLite, func(c *config.Config) { c.DataDir, c.Database = first.Config.DataDir, first.Config.Database })
	if out := s.Stdout.String(); strings.Contains(out, "/admin/setup/") || !strings.Contains(out, "\n  guildgate setup-link --database '"+s.Config.Database+"'\n") {
		t.Fatalf("the restart's banner:\n%s", out)
	}
	var link struct{ URL string }
	if err := json.Unmarshal([]byte(s.MustCLI(t, "", "setup-link", "--json")), &link); err != nil {
		t.Fatal(err)
	}
	path, ok := strings.CutPrefix(link.URL, first.URL) // the issuer stays the first start's
	if !ok || !setupLink.MatchString("\n  "+link.URL+"\n") {
		t.Fatalf("setup-link printed %q", link.URL)
	}
	b := newBrowser(t, s)
	if p := b.get(path); p.status != http.StatusOK || p.token == "" {
		t.Fatalf("the new link's page: %d", p.status)
	}
	if p := newBrowser(t, s).get(firstPath); p.status == http.StatusOK {
		t.Fatal("the first start's link still works after a new one was made")
	}
}
