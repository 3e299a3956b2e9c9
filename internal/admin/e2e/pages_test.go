package e2e

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestConsolePagesRender opens every console page as an administrator, so
// no template can break unnoticed, and runs the key rotation and a CSV
// import preview through their forms.
func TestConsolePagesRender(t *testing.T) {
	s, b := adminBrowser(t)
	mid := addMember(t, s, "ada@example.org")
	s.MustCLI(t, "", "group", "add", "board")
	s.MustCLI(t, "", "client", "add", "--name", "Portal", "--redirect-uris", "https://portal.example/cb", "--groups", "board")
	gid := regexp.MustCompile(`href="/admin/groups/([^"]+)">board<`).FindStringSubmatch(b.get("/admin/groups").body)[1]
	cid := clientIDCell.FindStringSubmatch(b.get("/admin/clients").body)[1]
	var hook struct{ ID string }
	if err := json.Unmarshal([]byte(s.MustCLI(t, "", "webhook", "add", "--url", "https://lms.example/hooks", "--json")), &hook); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/admin/", "/admin/members", "/admin/members?q=ada", "/admin/members/new",
		"/admin/members/" + mid, "/admin/members/" + mid + "/delete", "/admin/members/import", "/admin/groups",
		"/admin/groups/" + gid, "/admin/groups/" + gid + "/delete", "/admin/clients", "/admin/clients/new",
		"/admin/clients/" + cid, "/admin/clients/" + cid + "/delete", "/admin/audit", "/admin/audit?action=member.",
		"/admin/keys", "/admin/webhooks", "/admin/webhooks/" + hook.ID, "/admin/webhooks/" + hook.ID + "/delete"} {
		if p := b.get(path); p.status != http.StatusOK || !strings.Contains(p.body, "</main>") ||
			strings.Contains(p.body, "<script>") || strings.Contains(p.body, " style=") {
			t.Errorf("GET %s: %d", path, p.status)
		}
	}
	if p := b.get("/admin/members/export"); p.status != 200 || !strings.HasPrefix(p.body, "email,name,") {
		t.Errorf("export: %d %q", p.status, p.body)
	}
	if p := b.get("/admin/nowhere"); p.status != http.StatusNotFound {
		t.Errorf("unknown page: %d", p.status)
	}
	wantSeeOther(t, b.postPage("/admin/keys", "/admin/keys/rotate", url.Values{}), "/admin/keys?done=keys-rotated")

	token := b.get("/admin/members/import").token
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf_token", token)
	_ = mw.WriteField("dry_run", "on")
	fw, _ := mw.CreateFormFile("file", "members.csv")
	_, _ = fw.Write([]byte("email,name\nnew@example.org,New\nbroken,Bad\n"))
	_ = mw.Close()
	req, _ := http.NewRequest("POST", s.URL+"/admin/members/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	p := read(t, resp)
	if p.status != 200 || !strings.Contains(p.body, "1 to add") || !strings.Contains(p.body, "<td>3</td>") {
		t.Fatalf("import preview: %d\n%s", p.status, p.body)
	}
	if strings.Contains(s.MustCLI(t, "", "member", "list"), "new@example.org") {
		t.Fatal("the preview stored a member")
	}
}
