package federation_test

import (
	"crypto/tls"
	"database/sql"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
	"github.com/guildgate/guildgate/internal/testenv"
)

// browser is one member's browser: a cookie jar shared by Guildgate and
// the upstream provider, no automatic redirects (each hop is checked), and
// trust in both servers' certificates.
type browser struct {
	t  *testing.T
	s  *testenv.Server
	gg *http.Client // to Guildgate, whatever the URL's host
	up *http.Client // to upstream providers
}

func newBrowser(t *testing.T, s *testenv.Server) *browser {
	jar, _ := cookiejar.New(nil)
	up := &http.Client{Jar: jar, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: upstreamPool(t)}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &browser{t: t, s: s, gg: s.Client(t), up: up}
}

type page struct {
	status   int
	body     string
	location string
}

func (b *browser) do(c *http.Client, req *http.Request) page {
	b.t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, body: string(body), location: resp.Header.Get("Location")}
}

// get fetches u from Guildgate (a path or an absolute URL of its hosts).
func (b *browser) get(u string) page {
	b.t.Helper()
	if strings.HasPrefix(u, "/") {
		u = b.s.URL + u
	}
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return b.do(b.gg, req)
}

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.s.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(b.gg, req)
}

func (b *browser) upstream(u string) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return b.do(b.up, req)
}

var (
	csrfField  = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
	continueTo = regexp.MustCompile(`id="continue" href="([^"]+)"`)
)

func csrf(t *testing.T, p page) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no form token on the page (%d):\n%s", p.status, p.body)
	}
	return html.UnescapeString(m[1])
}

// enterEmail runs the email step from /login?return_to=… and returns the
// page it answers with.
func (b *browser) enterEmail(email, returnTo string) page {
	b.t.Helper()
	login := "/login"
	if returnTo != "" {
		login += "?return_to=" + url.QueryEscape(returnTo)
	}
	return b.post("/login", url.Values{"csrf_token": {csrf(b.t, b.get(login))}, "email": {email}, "return_to": {returnTo}})
}

// startURL is where the email step hands the member on to their provider.
func startURL(t *testing.T, p page) string {
	t.Helper()
	m := continueTo.FindStringSubmatch(p.body)
	if p.status != http.StatusOK || m == nil {
		t.Fatalf("the email step did not hand over to a provider (%d):\n%s", p.status, p.body)
	}
	return html.UnescapeString(m[1])
}

// members lists the tenant's members through the CLI, as an operator would.
func members(t *testing.T, s *testenv.Server) []memberJSON {
	t.Helper()
	var ms []memberJSON
	if err := json.Unmarshal([]byte(s.MustCLI(t, "", "member", "list", "--json")), &ms); err != nil {
		t.Fatal(err)
	}
	return ms
}

type memberJSON struct {
	ID            string     `json:"id"`
	Email         string     `json:"email"`
	EmailVerified bool       `json:"email_verified"`
	Name          string     `json:"name"`
	Status        string     `json:"status"`
	Groups        groupNames `json:"groups"`
}

// groupNames reads a member's groups ([{"id", "name"}], package views) as
// their names; [] stays an empty list.
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

// identities reads the upstream identities linked to a member straight
// from the store: no command lists them.
func identities(t *testing.T, s *testenv.Server, memberID string) []model.Identity {
	t.Helper()
	st, err := sqlstore.Open(t.Context(), s.Config.Database)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	def, err := st.Tenants().GetBySlug(t.Context(), model.DefaultTenantSlug)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := st.Identities().ListForMember(t.Context(), def.ID, memberID)
	if err != nil && err != sql.ErrNoRows {
		t.Fatal(err)
	}
	return ids
}

func addConnection(t *testing.T, s *testenv.Server, secret string, args ...string) string {
	t.Helper()
	var c struct{ ID string }
	out := s.MustCLI(t, secret+"\n", append([]string{"connection", "add", "--client-secret-stdin", "--json"}, args...)...)
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatal(err)
	}
	return c.ID
}
