package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/testenv"
)

// TestMailTestCommand: `guildgate mail test --to` sends at once through a
// real relay, with the tenant's name; with no relay, or a bad address, it
// says what to fix and exits 2.
func TestMailTestCommand(t *testing.T) {
	mp := testenv.StartMailpit(t, testenv.MailpitOptions{Plain: true})
	db := t.TempDir() + "/guildgate.db"
	out, errOut, code := testenv.RunCLI(t, db, "", "", "mail", "test", "--to", "ops@example.org",
		"--smtp-url", "smtp://"+mp.SMTP, "--mail-from", "Guild SSO <sso@guild.example>")
	if code != 0 || !strings.Contains(out, "accepted a test mail to ops@example.org") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	got := mp.WaitFor(t, "ops@example.org", 1, 10*time.Second)[0]
	if got.Subject != "Test message from default" && !strings.HasPrefix(got.Subject, "Test message from ") {
		t.Fatalf("subject %q", got.Subject)
	}
	for _, args := range [][]string{
		{"mail", "test", "--to", "ops@example.org"},
		{"mail", "test", "--to", "ops@example.org\r\nBcc: x@example.org", "--smtp-url", "smtp://" + mp.SMTP, "--mail-from", "sso@guild.example"},
		{"mail", "test", "--smtp-url", "smtp://" + mp.SMTP, "--mail-from", "sso@guild.example"},
		{"mail", "test", "--to", "ops@example.org", "--smtp-url", "smtp://" + mp.SMTP},
	} {
		if _, errOut, code := testenv.RunCLI(t, db, "", "", args...); code != 2 || errOut == "" {
			t.Errorf("%q: exit %d: %s", args, code, errOut)
		}
	}
	if n := len(mp.Messages(t)); n != 1 {
		t.Fatalf("%d messages reached the relay, want 1", n)
	}
}
