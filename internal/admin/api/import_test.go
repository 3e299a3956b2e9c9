package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

type importReport struct {
	DryRun    bool `json:"dry_run"`
	Rows      int  `json:"rows"`
	Created   int  `json:"created"`
	Updated   int  `json:"updated"`
	Unchanged int  `json:"unchanged"`
	Errors    []struct {
		Line    int    `json:"line"`
		Email   string `json:"email"`
		Message string `json:"message"`
		Details []struct{ Field, Message string }
	} `json:"errors"`
}

// memberFile is n member rows; the rows at bad (0-based) are broken in
// three different ways.
func memberFile(n int, bad map[int]string) string {
	var b strings.Builder
	b.WriteString("email,name,given_name,family_name,legacy_id,status\n")
	for i := range n {
		if row, ok := bad[i]; ok {
			b.WriteString(row + "\n")
			continue
		}
		fmt.Fprintf(&b, "member%05d@example.org,Member %d,Given,Family %d,L%05d,current\n", i, i, i, i)
	}
	return b.String()
}

// TestImportTenThousand is the acceptance test: 10,000 rows with 3 bad
// ones, through the API; the dry run stores nothing and reports the same
// rows, and the real import stores the 9,997 good ones.
func TestImportTenThousand(t *testing.T) {
	_, c := start(t)
	bad := map[int]string{
		17:   "not-an-email,Bad Email,,,,current",
		4242: "member04242@example.org,,,,,current",        // no name
		9998: "member09998@example.org,Bad Status,,,,gold", // unknown status
	}
	file := memberFile(10_000, bad)
	if len(file) <= 64<<10 {
		t.Fatal("the file should exceed the site's normal body limit")
	}
	var dry importReport
	c.want(200, &dry, "POST", "/api/v1/members/import?dry_run=true", file)
	if !dry.DryRun || dry.Created != 9_997 || len(dry.Errors) != 3 {
		t.Fatalf("dry run: %+v", summary(dry))
	}
	var none memberList
	if c.want(200, &none, "GET", "/api/v1/members?limit=1", nil); len(none.Items) != 0 {
		t.Fatal("the dry run stored members")
	}

	start := time.Now()
	var rep importReport
	c.want(200, &rep, "POST", "/api/v1/members/import?dry_run=false", file)
	t.Logf("imported 10,000 rows in %v", time.Since(start).Round(time.Millisecond))
	if rep.DryRun || rep.Rows != 10_000 || rep.Created != 9_997 || len(rep.Errors) != 3 {
		t.Fatalf("import: %+v", summary(rep))
	}
	// Line numbers count the header as line 1.
	wantLines := []int{19, 4244, 10000}
	wantField := []string{"email", "name", "status"}
	for i, e := range rep.Errors {
		if e.Line != wantLines[i] || len(e.Details) != 1 || e.Details[0].Field != wantField[i] || e.Message == "" {
			t.Errorf("error %d = %+v, want line %d about %s", i, e, wantLines[i], wantField[i])
		}
	}
	exported := c.want(200, nil, "GET", "/api/v1/members/export", nil)
	if n := strings.Count(string(exported.body), "\n"); n != 9_997+1 {
		t.Fatalf("export has %d lines, want 9,998", n)
	}
	var again importReport
	c.want(200, &again, "POST", "/api/v1/members/import", string(exported.body))
	if again.Unchanged != 9_997 || again.Created+again.Updated != 0 || len(again.Errors) != 0 {
		t.Fatalf("re-importing the export: %+v", summary(again))
	}
}

func summary(r importReport) string {
	return fmt.Sprintf("dry_run=%v rows=%d created=%d updated=%d unchanged=%d errors=%+v",
		r.DryRun, r.Rows, r.Created, r.Updated, r.Unchanged, r.Errors)
}
