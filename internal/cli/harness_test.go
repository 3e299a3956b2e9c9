package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// harness runs the CLI in-process against its own SQLite file, named through
// GUILDGATE_DATABASE so that every command (version and serve included) sees
// the same environment a shell would give it.
type harness struct {
	t   *testing.T
	db  string
	env map[string]string
}

type result struct {
	code           int
	stdout, stderr string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	// A missing parent directory is part of the test: data commands create it.
	db := filepath.Join(t.TempDir(), "data", "guildgate.db")
	// GUILDGATE_DATA_DIR keeps a test that drops GUILDGATE_DATABASE from
	// writing into the source tree.
	env := map[string]string{"GUILDGATE_DATABASE": db, "GUILDGATE_DATA_DIR": t.TempDir()}
	return &harness{t: t, db: db, env: env}
}

func (h *harness) getenv(k string) (string, bool) {
	v, ok := h.env[k]
	return v, ok
}

// runIn runs one command line with stdin.
func (h *harness) runIn(stdin string, args ...string) result {
	h.t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(stdin), &out, &errb, h.getenv)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func (h *harness) run(args ...string) result {
	h.t.Helper()
	return h.runIn("", args...)
}

// ok runs a command that must succeed and returns its stdout.
func (h *harness) ok(stdin string, args ...string) string {
	h.t.Helper()
	r := h.runIn(stdin, args...)
	if r.code != 0 {
		h.t.Fatalf("%q: exit %d\nstderr: %s", args, r.code, r.stderr)
	}
	return r.stdout
}

// okJSON runs a command with --json appended and decodes its output into v.
func (h *harness) okJSON(v any, stdin string, args ...string) {
	h.t.Helper()
	out := h.ok(stdin, append(args, "--json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		h.t.Fatalf("%q: output is not JSON: %v\n%s", args, err, out)
	}
}

// fails runs a command that must exit with code and say want on stderr.
func (h *harness) fails(code int, want string, stdin string, args ...string) {
	h.t.Helper()
	r := h.runIn(stdin, args...)
	if r.code != code || !strings.Contains(r.stderr, want) {
		h.t.Fatalf("%q: exit %d, stderr %q; want exit %d and %q", args, r.code, r.stderr, code, want)
	}
	if r.stdout != "" {
		h.t.Fatalf("%q: failed but printed %q", args, r.stdout)
	}
}

// jsonMember mirrors views.Member with the field names scripts read; its
// groups are read by name.
type jsonMember struct {
	ID                string     `json:"id"`
	Email             string     `json:"email"`
	EmailVerified     bool       `json:"email_verified"`
	Name              string     `json:"name"`
	GivenName         string     `json:"given_name"`
	FamilyName        string     `json:"family_name"`
	LegacyID          string     `json:"legacy_id"`
	Status            string     `json:"status"`
	Disabled          bool       `json:"disabled"`
	Admin             bool       `json:"admin"`
	Groups            groupNames `json:"groups"`
	CreatedAt         string     `json:"created_at"`
	UpdatedAt         string     `json:"updated_at"`
	GeneratedPassword string     `json:"generated_password"`
}

// groupNames reads a member's groups ([{"id", "name"}]) as their names;
// [] stays an empty, non-nil list.
type groupNames []string

func (g *groupNames) UnmarshalJSON(b []byte) error {
	var refs []struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(b, &refs); err != nil {
		return err
	}
	*g = make(groupNames, len(refs))
	for i, r := range refs {
		(*g)[i] = r.Name
	}
	return nil
}

func (h *harness) addMember(email, name string, extra ...string) jsonMember {
	h.t.Helper()
	var m jsonMember
	h.okJSON(&m, "password one\n", append([]string{"member", "add", "--email", email, "--name", name, "--password-stdin"}, extra...)...)
	return m
}

// snapshot is every member and group as JSON, to prove a failed command
// changed nothing.
func (h *harness) snapshot() string {
	h.t.Helper()
	return h.ok("", "member", "list", "--json") + h.ok("", "group", "list", "--json") + h.ok("", "tenant", "list", "--json")
}
