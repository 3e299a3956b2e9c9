package memberscsv

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/password"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

func newDir(t *testing.T) (*directory.Service, store.Store) {
	st := storetest.NewSQLite(t)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if err := st.Tenants().Create(t.Context(), model.Tenant{ID: "t1", Slug: "default", Name: "d",
		Issuer: "https://localhost", CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	return &directory.Service{Members: st.Members(), Groups: st.Groups(), Grants: st.Grants(), Clients: st.Clients(), Sessions: st.Sessions(), Audit: st.Audit(), Atomic: st.Atomic,
		Hasher: password.NewHasher(password.Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}),
		Now:    func() time.Time { return now }}, st
}

func importCSV(t *testing.T, dir *directory.Service, text string, dryRun bool) Report {
	t.Helper()
	rows, bad, err := Parse(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Importer{Dir: dir}.Import(context.Background(), "apikey:k", "t1", rows, bad, dryRun)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func lines(es []RowError) []int {
	var out []int
	for _, e := range es {
		out = append(out, e.Line)
	}
	return out
}

func TestImportReportsBadRowsAndKeepsGoodOnes(t *testing.T) {
	dir, _ := newDir(t)
	text := "\ufeffEmail,name,status\n" +
		"ada@example.org,Ada,current\n" + // 2
		"not-an-email,Bob,current\n" + // 3
		"cy@example.org,Cy,gold\n" + // 4
		"ADA@example.org,Ada again,current\n" + // 5: repeated email
		"dee@example.org,\"Dee\n" + // 6: open quote to the end
		""
	rep := importCSV(t, dir, text, true)
	if rep.Created != 1 || rep.Rows != 5 || len(rep.Errors) != 4 {
		t.Fatalf("dry run = %+v", rep)
	}
	if got := lines(rep.Errors); got[0] != 3 || got[1] != 4 || got[2] != 5 || got[3] != 6 {
		t.Fatalf("bad lines %v: %+v", got, rep.Errors)
	}
	if p, _ := dir.ListMembers(t.Context(), "t1", store.MemberQuery{}); len(p.Items) != 0 {
		t.Fatal("dry run stored members")
	}
	rep = importCSV(t, dir, text, false)
	if rep.Created != 1 || len(rep.Errors) != 4 || !strings.Contains(rep.Errors[1].Message, `"gold" is not one of`) {
		t.Fatalf("import = %+v", rep)
	}
}

func TestImportUpdatesByEmailAndIsIdempotent(t *testing.T) {
	dir, _ := newDir(t)
	importCSV(t, dir, "email,name,legacy_id\nada@example.org,Ada,L1\n", false)
	text := "email,name,given_name,status\nADA@EXAMPLE.ORG,Ada Lovelace,,expired\nnew@example.org,New,N,\n"
	rep := importCSV(t, dir, text, false)
	if rep.Updated != 1 || rep.Created != 1 || len(rep.Errors) != 0 {
		t.Fatalf("import = %+v", rep)
	}
	m, _ := dir.MemberByEmail(t.Context(), "t1", "ada@example.org")
	if m.Name != "Ada Lovelace" || m.Status != model.StatusExpired || m.LegacyID != "L1" {
		t.Fatalf("updated member = %+v", m)
	}
	if rep := importCSV(t, dir, text, false); rep.Unchanged != 2 || rep.Updated+rep.Created != 0 {
		t.Fatalf("re-import = %+v", rep)
	}
}

func TestHeaderProblems(t *testing.T) {
	for _, text := range []string{"", "name,phone\n", "email,email\n"} {
		if _, _, err := Parse(strings.NewReader(text)); err == nil {
			t.Errorf("Parse(%q) accepted the header", text)
		}
	}
}

func TestExportRoundTripsFormulaCells(t *testing.T) {
	dir, _ := newDir(t)
	if _, err := dir.AddMember(t.Context(), "cli", "t1", directory.MemberInput{Email: "x@example.org",
		Name: "=HYPERLINK(\"https://evil.example\")", LegacyID: "-42"}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Export(t.Context(), &buf, dir, "t1"); err != nil {
		t.Fatal(err)
	}
	want := "email,name,given_name,family_name,legacy_id,status\nx@example.org,\"'=HYPERLINK(\"\"https://evil.example\"\")\",,,'-42,current\n"
	if buf.String() != want {
		t.Fatalf("export:\n%s\nwant:\n%s", buf.String(), want)
	}
	if rep := importCSV(t, dir, buf.String(), false); rep.Unchanged != 1 {
		t.Fatalf("re-import of the export = %+v", rep)
	}
}
