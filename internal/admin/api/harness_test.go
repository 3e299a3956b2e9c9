package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/testenv"
)

// client calls the real server's API with one key, as a script would.
type client struct {
	t    *testing.T
	s    *testenv.Server
	http *http.Client
	key  string
	host string // the URL the requests go to; another tenant's issuer in some tests
}

func newKey(t *testing.T, s *testenv.Server, tenant string) string {
	t.Helper()
	var k struct {
		Key string `json:"key"`
		ID  string `json:"id"`
	}
	if err := json.Unmarshal([]byte(s.MustCLI(t, "", "apikey", "create", "--name", "test", "--tenant", tenant, "--json")), &k); err != nil {
		t.Fatal(err)
	}
	return k.Key
}

func start(t *testing.T) (*testenv.Server, *client) {
	t.Helper()
	s := testenv.Start(t, testenv.SQLite, nil)
	return s, &client{t: t, s: s, http: s.Client(t), key: newKey(t, s, "default"), host: s.URL}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends body as JSON (a string is sent as is, as text/csv).
func (c *client) do(method, path string, body any) response {
	c.t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ctype = strings.NewReader(b), "text/csv"
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd, ctype = bytes.NewReader(raw), "application/json"
	}
	req, err := http.NewRequest(method, c.host+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: raw}
}

// want sends a request that must answer status and decodes the answer into v
// (when v is not nil).
func (c *client) want(status int, v any, method, path string, body any) response {
	c.t.Helper()
	r := c.do(method, path, body)
	if r.status != status {
		c.t.Fatalf("%s %s: status %d, want %d\n%s", method, path, r.status, status, r.body)
	}
	if v != nil {
		if err := json.Unmarshal(r.body, v); err != nil {
			c.t.Fatalf("%s %s: %v\n%s", method, path, err, r.body)
		}
	}
	return r
}

// apiError is the error body every failure carries.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"details"`
		RequestID string `json:"request_id"`
	} `json:"error"`
}

// wantError sends a request that must fail with status and code; it returns
// the error for further checks.
func (c *client) wantError(status int, code, method, path string, body any) apiError {
	c.t.Helper()
	var e apiError
	r := c.want(status, &e, method, path, body)
	if e.Error.Code != code || e.Error.Message == "" || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		c.t.Fatalf("%s %s: error %+v, want code %s\n%s", method, path, e.Error, code, r.body)
	}
	return e
}

type member struct {
	ID       string `json:"id"`
	Email    string `json:"email"`
	Name     string `json:"name"`
	Status   string `json:"status"`
	Disabled bool   `json:"disabled"`
	Admin    bool   `json:"admin"`
	Groups   []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"groups"`
}

type memberList struct {
	Items []member `json:"items"`
	Next  string   `json:"next"`
}

type group struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type ssoClient struct {
	ID              string   `json:"client_id"`
	Name            string   `json:"name"`
	Secret          string   `json:"client_secret"`
	RedirectURIs    []string `json:"redirect_uris"`
	PermittedGroups []string `json:"permitted_groups"`
	GrantTypes      []string `json:"grant_types"`
}

type auditEvent struct {
	Actor  string            `json:"actor"`
	Action string            `json:"action"`
	Target string            `json:"target"`
	Detail map[string]string `json:"detail"`
}
