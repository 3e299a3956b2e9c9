package cli

import (
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestUsage(t *testing.T) {
	h := newHarness(t)
	r := h.run()
	if r.code != 2 || !strings.Contains(r.stderr, "guildgate: missing command") {
		t.Fatalf("no arguments: %+v", r)
	}
	for _, cmd := range []string{"serve", "tenant", "member", "group", "migrate", "version"} {
		if !strings.Contains(r.stderr, "\n  "+cmd+" ") {
			t.Errorf("usage does not list %q:\n%s", cmd, r.stderr)
		}
	}
	if r := h.run("help"); r.code != 0 || !strings.Contains(r.stdout, "commands:") {
		t.Fatalf("help: %+v", r)
	}
	if r := h.run("member", "--help"); r.code != 0 || !strings.Contains(r.stdout, "set-password") {
		t.Fatalf("member --help: %+v", r)
	}
	if r := h.run("group", "add", "-h"); r.code != 0 || !strings.Contains(r.stdout, "usage: guildgate group add NAME") || !strings.Contains(r.stdout, "-description") {
		t.Fatalf("group add -h: %+v", r)
	}
	h.fails(2, `guildgate: unknown command "frobnicate"`, "", "frobnicate")
	h.fails(2, "guildgate: missing command", "", "tenant")
}

func TestVersion(t *testing.T) {
	h := newHarness(t)
	out := h.ok("", "version")
	if !regexp.MustCompile(`^guildgate dev \(commit \S+\)\n$`).MatchString(out) {
		t.Fatalf("version = %q", out)
	}
	h.fails(2, `unexpected argument "x"`, "", "version", "x")
}

func TestMigrate(t *testing.T) {
	h := newHarness(t)
	var v struct{ Version int64 }
	h.okJSON(&v, "", "migrate")
	if v.Version < 1 {
		t.Fatalf("version %d", v.Version)
	}
	if out := h.ok("", "migrate"); !strings.Contains(out, "database schema at version") {
		t.Fatalf("migrate = %q", out)
	}
}

func TestServeReportsEveryConfigProblem(t *testing.T) {
	h := newHarness(t)
	h.env["GUILDGATE_LOG_FORMAT"] = "xml"
	r := h.run("serve", "--log-level", "loud", "--issuer", "http://x")
	for _, want := range []string{"guildgate: log-level: ", "guildgate: log-format: ", "guildgate: issuer: "} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if r.code != 2 {
		t.Errorf("exit %d", r.code)
	}
	h.fails(2, `serve: unexpected argument "now"`, "", "serve", "now")
	h.fails(2, "serve: unknown flag -tenant", "", "serve", "--tenant", "x")
}

func TestFlagsAfterPositionals(t *testing.T) {
	h := newHarness(t)
	h.ok("", "group", "add", "Board", "--description", "Trustees")
	h.ok("", "member", "add", "--email", "ada@example.org", "--name", "Ada")
	h.ok("", "group", "add-member", "Board", "--tenant", "default", "ada@example.org")
	out := h.ok("", "member", "update", "ada@example.org", "--name", "Ada L", "--json")
	var m jsonMember
	if err := json.Unmarshal([]byte(out), &m); err != nil || m.Name != "Ada L" || !slices.Equal(m.Groups, []string{"Board"}) {
		t.Fatalf("member = %+v, %v", m, err)
	}
	var gs []jsonGroup
	h.okJSON(&gs, "", "group", "list")
	if len(gs) != 1 || gs[0].Description != "Trustees" {
		t.Fatalf("groups = %+v", gs)
	}
}

func TestParseInterleaved(t *testing.T) {
	tests := []struct {
		args    []string
		wantPos []string
		wantD   string
		wantB   bool
	}{
		{[]string{"a", "-d", "x", "b"}, []string{"a", "b"}, "x", false},
		{[]string{"-d", "x", "a"}, []string{"a"}, "x", false},
		{[]string{"a", "b", "--b"}, []string{"a", "b"}, "", true},
		{[]string{"a", "--", "-d", "x"}, []string{"a", "-d", "x"}, "", false},
		{[]string{"--d=x", "--", "--"}, []string{"--"}, "x", false},
		{[]string{"a", "-", "--d", "-y"}, []string{"a", "-"}, "-y", false},
		{nil, nil, "", false},
	}
	for _, tt := range tests {
		c := &call{env: &env{}, name: "t"}
		fs := c.newFlagSet()
		d := fs.String("d", "", "")
		b := fs.Bool("b", false, "")
		pos, err := c.parse(fs, tt.args)
		if err != nil || !slices.Equal(pos, tt.wantPos) || *d != tt.wantD || *b != tt.wantB {
			t.Errorf("parse(%q) = %q d=%q b=%v, %v; want %q d=%q b=%v", tt.args, pos, *d, *b, err, tt.wantPos, tt.wantD, tt.wantB)
		}
	}
}

func TestReadSecretLine(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"secret pw\n", "secret pw", true},
		{"secret pw\r\n", "secret pw", true},
		{"no newline", "no newline", true},
		{" spaces kept \n", " spaces kept ", true},
		{"first\nsecond\n", "first", true},
		{"\n", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := readSecretLine(strings.NewReader(tt.in))
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("readSecretLine(%q) = %q, %v", tt.in, got, err)
		}
		if !tt.ok && !errors.As(err, new(*inputError)) {
			t.Errorf("readSecretLine(%q) error %T is not an input error", tt.in, err)
		}
	}
}

func TestOptionalFlagsRecordWhetherGiven(t *testing.T) {
	c := &call{env: &env{}, name: "t"}
	fs := c.newFlagSet()
	var s optString
	var b, unset optBool
	fs.Var(&s, "s", "")
	fs.Var(&b, "b", "")
	fs.Var(&unset, "u", "")
	if _, err := c.parse(fs, []string{"-s", "", "-b=false"}); err != nil {
		t.Fatal(err)
	}
	if s.ptr() == nil || *s.ptr() != "" || b.ptr() == nil || *b.ptr() || unset.ptr() != nil {
		t.Fatalf("s=%+v b=%+v u=%+v", s, b, unset)
	}
}
