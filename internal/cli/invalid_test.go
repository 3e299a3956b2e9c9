package cli

import (
	"strings"
	"testing"
)

// TestInvalidInputChangesNothing runs every kind of bad input against a
// populated store: each must exit non-zero with a message saying exactly what
// is wrong, and leave members, groups and tenants as they were.
func TestInvalidInputChangesNothing(t *testing.T) {
	h := newHarness(t)
	h.addMember("ada@example.org", "Ada")
	h.ok("", "group", "add", "Board")
	h.ok("", "group", "add-member", "Board", "ada@example.org")
	h.ok("", "tenant", "add", "acme", "--issuer", "https://sso.acme.example")
	before := h.snapshot()

	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"bad email", "", []string{"member", "add", "--email", "ada.example.org", "--name", "X"}, 2, `guildgate: email: "ada.example.org" is not a valid email address`},
		{"email with display name", "", []string{"member", "add", "--email", "Ada <x@example.org>", "--name", "X"}, 2, "guildgate: email: "},
		{"duplicate email differing in case", "", []string{"member", "add", "--email", "ADA@Example.org", "--name", "X"}, 2, "guildgate: a member with email ADA@Example.org already exists"},
		{"update to a taken email", "", []string{"member", "add", "--email", "bob@example.org", "--name", "Bob"}, 0, ""}, // set-up, checked below
		{"unknown status", "", []string{"member", "add", "--email", "new@example.org", "--name", "X", "--status", "gold"}, 2, `guildgate: status: "gold" is not one of current, grace_period, inheriting, expired, non_member`},
		{"unknown status on update", "", []string{"member", "update", "ada@example.org", "--status", "lapsed"}, 2, `status: "lapsed" is not one of`},
		{"every problem at once", "", []string{"member", "add", "--email", "x", "--name", " ", "--status", "y"}, 2, "guildgate: email: "},
		{"empty password on stdin", "\n", []string{"member", "add", "--email", "new@example.org", "--name", "X", "--password-stdin"}, 2, "guildgate: no password on stdin"},
		{"no stdin at all", "", []string{"member", "set-password", "ada@example.org", "--password-stdin"}, 2, "guildgate: no password on stdin"},
		{"short password", "short\n", []string{"member", "add", "--email", "new@example.org", "--name", "X", "--password-stdin"}, 2, "guildgate: password: password must be at least 8 characters"},
		{"short new password", "short\n", []string{"member", "set-password", "ada@example.org", "--password-stdin"}, 2, "password must be at least 8 characters"},
		{"unknown tenant", "", []string{"member", "list", "--tenant", "nope"}, 2, `guildgate: no tenant with slug "nope"`},
		{"unknown tenant on add", "", []string{"member", "add", "--email", "new@example.org", "--name", "X", "--tenant", "nope"}, 2, `no tenant with slug "nope"`},
		{"unknown member", "", []string{"member", "show", "nobody@example.org"}, 2, "guildgate: no member with email nobody@example.org"},
		{"unknown member on update", "", []string{"member", "update", "nobody@example.org", "--name", "X"}, 2, "no member with email nobody@example.org"},
		{"unknown member on disable", "", []string{"member", "disable", "nobody@example.org"}, 2, "no member with email nobody@example.org"},
		{"unknown member on delete", "", []string{"member", "delete", "nobody@example.org"}, 2, "no member with email nobody@example.org"},
		{"unknown member on set-password", "long enough\n", []string{"member", "set-password", "nobody@example.org", "--password-stdin"}, 2, "no member with email nobody@example.org"},
		{"unknown member for a group", "", []string{"group", "add-member", "Board", "nobody@example.org"}, 2, "no member with email nobody@example.org"},
		{"unknown group", "", []string{"group", "delete", "Staff"}, 2, `guildgate: no group named "Staff"`},
		{"not in the group", "", []string{"group", "remove-member", "Board", "bob@example.org"}, 2, `guildgate: bob@example.org is not in group "Board"`},
		{"duplicate group", "", []string{"group", "add", "BOARD"}, 2, `guildgate: a group named "BOARD" already exists`},
		{"empty group name", "", []string{"group", "add", " "}, 2, "guildgate: name: is required"},
		{"nothing to update", "", []string{"member", "update", "ada@example.org"}, 2, "guildgate: nothing to change"},
		{"unknown flag", "", []string{"member", "add", "--email", "new@example.org", "--name", "X", "--nickname", "Y"}, 2, "guildgate: member add: unknown flag -nickname"},
		{"bad boolean", "", []string{"member", "update", "ada@example.org", "--admin=maybe"}, 2, `"maybe" is not true or false`},
		{"missing required flag", "", []string{"member", "add", "--email", "new@example.org"}, 2, "guildgate: member add: missing required flag --name"},
		{"missing both required flags", "", []string{"member", "add"}, 2, "missing required flag --email, --name"},
		{"missing argument", "", []string{"group", "add-member", "Board"}, 2, "guildgate: group add-member: missing EMAIL"},
		{"extra argument", "", []string{"member", "show", "ada@example.org", "bob@example.org"}, 2, `guildgate: member show: unexpected argument "bob@example.org" (expected only EMAIL)`},
		{"extra argument to add", "", []string{"member", "add", "--email", "new@example.org", "--name", "X", "oops"}, 2, `unexpected argument "oops" (expected no arguments)`},
		{"bad limit", "", []string{"member", "list", "--limit", "0"}, 2, "guildgate: --limit must be between 1 and 500"},
		{"bad tenant issuer", "", []string{"tenant", "add", "beta", "--issuer", "http://beta.example/?x=1"}, 2, `guildgate: issuer: "http://beta.example/?x=1" must be an absolute https:// URL`},
		{"bad tenant slug and host", "", []string{"tenant", "add", "Beta", "--issuer", "https://beta.example", "--host", "beta.example:443"}, 2, "guildgate: slug: "},
		{"taken tenant host", "", []string{"tenant", "add", "beta", "--issuer", "https://beta.example", "--host", "SSO.acme.example"}, 2, `guildgate: host "sso.acme.example" is already used by tenant "acme"`},
		{"unknown tenant to update", "", []string{"tenant", "update", "nope", "--name", "X"}, 2, `no tenant with slug "nope"`},
		{"missing issuer", "", []string{"tenant", "add", "beta"}, 2, "missing required flag --issuer"},
		{"unknown language", "", []string{"tenant", "update", "acme", "--default-language", "pt"}, 2, `guildgate: default_language: "pt" is not a language Guildgate speaks (one of en, fr, de, es, nl)`},
		{"unknown language on add", "", []string{"tenant", "add", "beta", "--issuer", "https://beta.example", "--default-language", "english"}, 2, `default_language: "english" is not a language`},
		{"unknown command", "", []string{"member", "frobnicate"}, 2, `guildgate: unknown command "member frobnicate"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.code == 0 {
				h.ok(tt.stdin, tt.args...)
				before = h.snapshot()
				return
			}
			h.fails(tt.code, tt.want, tt.stdin, tt.args...)
			if after := h.snapshot(); after != before {
				t.Fatalf("stored data changed:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
	h.fails(2, "guildgate: a member with email BOB@example.org already exists", "", "member", "update", "ada@example.org", "--email", "BOB@example.org")
	if after := h.snapshot(); after != before {
		t.Fatal("a refused email change changed data")
	}
}

func TestEveryProblemIsReported(t *testing.T) {
	h := newHarness(t)
	r := h.runIn("short\n", "member", "add", "--email", "x", "--name", " ", "--status", "y", "--password-stdin")
	for _, want := range []string{"guildgate: email: ", "guildgate: name: is required", "guildgate: status: ", "guildgate: password: "} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr %q lacks %q", r.stderr, want)
		}
	}
	if r.code != 2 {
		t.Errorf("exit %d", r.code)
	}
}
