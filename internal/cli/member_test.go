package cli

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/password"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// passwordWorks checks the stored hash directly, since no command prints it.
func (h *harness) passwordWorks(email, pw string) bool {
	h.t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, h.db)
	if err != nil {
		h.t.Fatal(err)
	}
	defer st.Close()
	tn, err := st.Tenants().GetBySlug(ctx, "default")
	if err != nil {
		h.t.Fatal(err)
	}
	m, err := st.Members().GetByEmail(ctx, tn.ID, email)
	if err != nil {
		h.t.Fatal(err)
	}
	ok, _, err := password.NewHasher(password.OWASP).Verify(ctx, m.PasswordHash, pw)
	return err == nil && ok
}

func TestMemberAddJSONFieldByField(t *testing.T) {
	h := newHarness(t)
	before := time.Now().UTC().Add(-time.Second)
	var m jsonMember
	h.okJSON(&m, "correct horse\n", "member", "add", "--email", " Ada@Example.org ", "--name", "Ada Lovelace",
		"--given-name", "Ada", "--family-name", "Lovelace", "--legacy-id", "L-1815", "--status", "grace_period",
		"--email-verified", "--admin", "--password-stdin")
	created, err := time.Parse(time.RFC3339Nano, m.CreatedAt)
	if err != nil || created.Before(before) || m.UpdatedAt != m.CreatedAt {
		t.Fatalf("created_at %q updated_at %q", m.CreatedAt, m.UpdatedAt)
	}
	checks := map[string]bool{
		"id is a UUID": uuidPattern.MatchString(m.ID), "email trimmed, case kept": m.Email == "Ada@Example.org",
		"email_verified": m.EmailVerified, "name": m.Name == "Ada Lovelace", "given_name": m.GivenName == "Ada",
		"family_name": m.FamilyName == "Lovelace", "legacy_id": m.LegacyID == "L-1815", "status": m.Status == "grace_period",
		"not disabled": !m.Disabled, "admin": m.Admin, "no groups": m.Groups != nil && len(m.Groups) == 0,
		"no generated password": m.GeneratedPassword == "",
	}
	for what, ok := range checks {
		if !ok {
			t.Errorf("%s: got %+v", what, m)
		}
	}
	var shown jsonMember
	h.okJSON(&shown, "", "member", "show", "ada@example.ORG")
	if !equalJSON(t, shown, m) {
		t.Errorf("show = %+v, add printed %+v", shown, m)
	}
	if !h.passwordWorks("ada@example.org", "correct horse") {
		t.Error("the password from stdin does not verify")
	}
}

func equalJSON(t *testing.T, a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func TestMemberAddJSONNeverHoldsHash(t *testing.T) {
	h := newHarness(t)
	out := h.ok("long enough\n", "member", "add", "--email", "a@example.org", "--name", "A", "--password-stdin", "--json")
	var raw map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	want := []string{"id", "email", "email_verified", "name", "given_name", "family_name", "legacy_id",
		"status", "disabled", "admin", "has_password", "language", "groups", "created_at", "updated_at"}
	if len(raw) != len(want) || strings.Contains(out, "argon2") || strings.Contains(out, "long enough") {
		t.Fatalf("fields = %v, want exactly %v", raw, want)
	}
	for _, k := range want {
		if _, ok := raw[k]; !ok {
			t.Errorf("missing field %q", k)
		}
	}
}

func TestMemberAddGeneratesPasswordOnce(t *testing.T) {
	h := newHarness(t)
	r := h.run("member", "add", "--email", "bob@example.org", "--name", "Bob")
	if r.code != 0 || !strings.Contains(r.stdout, "generated password:") || !strings.Contains(r.stdout, "shown only this once") {
		t.Fatalf("text output: %+v", r)
	}
	if !strings.Contains(r.stderr, "created the default tenant with issuer https://localhost:8443") {
		t.Errorf("no note about the default tenant: %q", r.stderr)
	}
	var m jsonMember
	h.okJSON(&m, "", "member", "add", "--email", "carol@example.org", "--name", "Carol")
	if len(m.GeneratedPassword) != 24 || !h.passwordWorks("carol@example.org", m.GeneratedPassword) {
		t.Fatalf("generated password %q does not work", m.GeneratedPassword)
	}
	if show := h.ok("", "member", "show", "carol@example.org", "--json"); strings.Contains(show, m.GeneratedPassword) {
		t.Fatal("show printed the password again")
	}
}

func TestMemberListQueryAndPages(t *testing.T) {
	h := newHarness(t)
	for _, e := range []string{"c@example.org", "a@example.org", "b@example.net"} {
		h.addMember(e, "Name "+e)
	}
	var all []jsonMember
	h.okJSON(&all, "", "member", "list")
	if len(all) != 3 || all[0].Email != "a@example.org" || all[2].Email != "c@example.org" {
		t.Fatalf("list = %+v", all)
	}
	var found []jsonMember
	h.okJSON(&found, "", "member", "list", "--query", "EXAMPLE.NET")
	if len(found) != 1 || found[0].Email != "b@example.net" {
		t.Fatalf("query = %+v", found)
	}
	r := h.run("member", "list", "--limit", "2", "--json")
	cursor := regexp.MustCompile(`--after (\S+)`).FindStringSubmatch(r.stderr)
	if r.code != 0 || cursor == nil {
		t.Fatalf("first page: %+v", r)
	}
	var rest []jsonMember
	h.okJSON(&rest, "", "member", "list", "--limit", "2", "--after", cursor[1])
	if len(rest) != 1 || rest[0].Email != "c@example.org" {
		t.Fatalf("second page = %+v", rest)
	}
	if text := h.ok("", "member", "list"); !strings.HasPrefix(text, "EMAIL") || strings.Count(text, "\n") != 4 {
		t.Fatalf("text list:\n%s", text)
	}
}

func TestMemberUpdateChangesOnlyGivenFields(t *testing.T) {
	h := newHarness(t)
	orig := h.addMember("ada@example.org", "Ada", "--given-name", "Ada", "--legacy-id", "L1", "--email-verified", "--admin")
	var m jsonMember
	h.okJSON(&m, "", "member", "update", "ada@example.org", "--family-name", "King", "--status", "expired", "--admin=false")
	if m.FamilyName != "King" || m.Status != "expired" || m.Admin || m.GivenName != "Ada" || m.LegacyID != "L1" ||
		!m.EmailVerified || m.ID != orig.ID || m.CreatedAt != orig.CreatedAt || m.UpdatedAt == orig.UpdatedAt {
		t.Fatalf("after update %+v", m)
	}
	h.okJSON(&m, "", "member", "update", "ada@example.org", "--email", "ada@example.net", "--legacy-id", "")
	if m.Email != "ada@example.net" || m.EmailVerified || m.LegacyID != "" {
		t.Fatalf("a new email must be unverified unless stated: %+v", m)
	}
	h.okJSON(&m, "", "member", "update", "ada@example.net", "--email-verified=true")
	if !m.EmailVerified {
		t.Fatalf("--email-verified=true: %+v", m)
	}
}

func TestMemberDisableEnableDelete(t *testing.T) {
	h := newHarness(t)
	orig := h.addMember("ada@example.org", "Ada")
	var m jsonMember
	if h.okJSON(&m, "", "member", "disable", "ada@example.org"); !m.Disabled {
		t.Fatalf("disable: %+v", m)
	}
	if h.okJSON(&m, "", "member", "enable", "ada@example.org"); m.Disabled {
		t.Fatalf("enable: %+v", m)
	}
	if h.okJSON(&m, "", "member", "delete", "ada@example.org"); m.ID != orig.ID {
		t.Fatalf("delete printed %+v", m)
	}
	h.fails(2, "guildgate: no member with email ada@example.org", "", "member", "show", "ada@example.org")
}

func TestSetPassword(t *testing.T) {
	h := newHarness(t)
	h.addMember("ada@example.org", "Ada")
	r := h.runIn("a new password\r\n", "member", "set-password", "ada@example.org", "--password-stdin")
	if r.code != 0 || !strings.Contains(r.stderr, "sessions were ended") || !h.passwordWorks("ada@example.org", "a new password") {
		t.Fatalf("set-password from stdin: %+v", r)
	}
	var m jsonMember
	h.okJSON(&m, "", "member", "set-password", "ada@example.org")
	if m.GeneratedPassword == "" || !h.passwordWorks("ada@example.org", m.GeneratedPassword) {
		t.Fatalf("generated: %+v", m)
	}
}

// An administrator sets (and clears) a member's language: their mail's
// and their locale claim; one Guildgate does not speak is refused.
func TestMemberLanguage(t *testing.T) {
	h := newHarness(t)
	h.addMember("ada@example.org", "Ada")
	var m struct{ Language string }
	if h.okJSON(&m, "", "member", "update", "ada@example.org", "--language", " FR "); m.Language != "fr" {
		t.Fatalf("--language fr: %+v", m)
	}
	h.fails(2, `language: "pt" is not a language Guildgate speaks`, "", "member", "update", "ada@example.org", "--language", "pt")
	if h.okJSON(&m, "", "member", "show", "ada@example.org"); m.Language != "fr" {
		t.Fatalf("a refused language changed it: %+v", m)
	}
	if h.okJSON(&m, "", "member", "update", "ada@example.org", "--language", ""); m.Language != "" {
		t.Fatalf("--language \"\": %+v", m)
	}
}
