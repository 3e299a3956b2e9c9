package legacysso

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/tenancy"
	"github.com/guildgate/guildgate/internal/tokens"
)

func TestWithToken(t *testing.T) {
	const tok = "aaa.bbb.ccc"
	cases := map[string]string{
		"https://p.example/cb":                  "https://p.example/cb?token=aaa.bbb.ccc",
		"https://p.example/sso?lang=en":         "https://p.example/sso?lang=en&token=aaa.bbb.ccc",
		"https://p.example/sso?z=1&a=%7E&b=x+y": "https://p.example/sso?z=1&a=%7E&b=x+y&token=aaa.bbb.ccc", // kept as registered
		"https://p.example/sso?a=1&":            "https://p.example/sso?a=1&token=aaa.bbb.ccc",
		"https://p.example/sso?":                "https://p.example/sso?token=aaa.bbb.ccc",
		"https://p.example/a%2Fb/c":             "https://p.example/a%2Fb/c?token=aaa.bbb.ccc",
		"http://127.0.0.1:4711/cb":              "http://127.0.0.1:4711/cb?token=aaa.bbb.ccc",
		"https://p.example/sso?a=1;b=2":         "https://p.example/sso?a=1;b=2&token=aaa.bbb.ccc",
	}
	for in, want := range cases {
		if got, err := withToken(in, tok); err != nil || got != want {
			t.Errorf("withToken(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// fakes: each holds only what a test sets.
type fakeClients struct {
	client    model.Client
	permitted bool
	secret    []byte
}

func (f *fakeClients) Lookup(_ context.Context, _, id string) (model.Client, error) {
	if !strings.EqualFold(id, f.client.ID) {
		return model.Client{}, model.ErrNotFound
	}
	return f.client, nil
}

func (f *fakeClients) Permitted(context.Context, model.Client, string) (bool, error) {
	return f.permitted, nil
}

func (f *fakeClients) SigningSecret(context.Context, model.Client) ([]byte, error) {
	return f.secret, nil
}

type fakeSessions struct {
	member model.Member
	err    error
}

func (f fakeSessions) Current(*http.Request) (model.Session, model.Member, error) {
	return model.Session{}, f.member, f.err
}

type fakeGroups struct{ store.Groups }

func (fakeGroups) ListForMember(context.Context, string, string) ([]model.Group, error) {
	return nil, nil
}

type fakeAudit struct {
	store.Audit
	events []model.AuditEvent
	err    error
}

func (f *fakeAudit) Append(_ context.Context, e model.AuditEvent) error {
	f.events = append(f.events, e)
	return f.err
}

var (
	testTenant = model.Tenant{ID: "t1", Issuer: "https://sso.example.org", Name: "Example"}
	testClient = model.Client{ID: "c1", TenantID: "t1", Name: "Partner", RedirectURIs: []string{"https://p.example/cb",
		"https://p.example/sso?token=x", "https://p.example/sso?a=1;b=2"}}
	testSecret = []byte("0123456789abcdef0123456789abcdef0123456789a")
)

func newTestHandler(sessions fakeSessions, audit *fakeAudit) *Handler {
	now := func() time.Time { return time.Unix(1_800_000_000, 0) }
	return &Handler{
		Clients:  &fakeClients{client: testClient, permitted: true, secret: testSecret},
		Sessions: sessions, Tokens: &tokens.Issuer{Now: now}, Groups: fakeGroups{}, Audit: audit, Now: now,
		Pages: &httpx.ErrorWriter{Renderer: httpx.PlainErrors{}, Logger: slog.New(slog.DiscardHandler)},
	}
}

func serveTest(h *Handler, redirectURI string) *httptest.ResponseRecorder {
	mux := http.NewServeMux()
	h.Mount(mux)
	q := url.Values{"client_id": {"c1"}, "redirect_uri": {redirectURI}}.Encode()
	r := httptest.NewRequest(http.MethodGet, "https://sso.example.org/sso/auth?"+q, nil)
	r = r.WithContext(tenancy.NewContext(r.Context(), testTenant))
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	return w
}

// TestAuditRecordsJTIAndIsRequired: the audit event names client, member and
// jti, never the token; a token that cannot be recorded is not handed out.
func TestAuditRecordsJTIAndIsRequired(t *testing.T) {
	audit := &fakeAudit{}
	ada := fakeSessions{member: model.Member{ID: "m1", Status: model.StatusCurrent}}
	w := serveTest(newTestHandler(ada, audit), "https://p.example/cb")
	tok, ok := strings.CutPrefix(w.Header().Get("Location"), "https://p.example/cb?token=")
	if w.Code != http.StatusFound || !ok || len(audit.events) != 1 {
		t.Fatalf("status %d, Location %q, %d events", w.Code, w.Header().Get("Location"), len(audit.events))
	}
	jti, _ := jtiOf(tok)
	e := audit.events[0]
	if e.Action != "legacysso.token" || e.Detail["jti"] != jti || jti == "" || e.Detail["client_id"] != "c1" ||
		e.Detail["member_id"] != "m1" || e.TenantID != "t1" {
		t.Errorf("audit event %+v", e)
	}

	audit = &fakeAudit{err: errors.New("disk full")}
	w = serveTest(newTestHandler(ada, audit), "https://p.example/cb")
	if w.Code != http.StatusInternalServerError || w.Header().Get("Location") != "" || strings.Contains(w.Body.String(), "eyJ") {
		t.Errorf("audit failure: status %d, Location %q, body %q", w.Code, w.Header().Get("Location"), w.Body)
	}
}

func TestRefusals(t *testing.T) {
	ada := fakeSessions{member: model.Member{ID: "m1"}}
	cases := []struct {
		name     string
		sessions fakeSessions
		edit     func(*Handler)
		uri      string
		status   int
	}{
		{"registered URI already has a token parameter", ada, nil, "https://p.example/sso?token=x", http.StatusBadRequest},
		{"public client", ada, func(h *Handler) { h.Clients.(*fakeClients).client.Public = true }, "https://p.example/cb", http.StatusBadRequest},
		{"not permitted", ada, func(h *Handler) { h.Clients.(*fakeClients).permitted = false }, "https://p.example/cb", http.StatusForbidden},
		{"session store failing", fakeSessions{err: errors.New("db down")}, nil, "https://p.example/cb", http.StatusInternalServerError},
		{"no session", fakeSessions{err: session.ErrNoSession}, nil, "https://p.example/cb", http.StatusSeeOther},
		{"semicolon in the registered query is no token", fakeSessions{err: session.ErrNoSession}, nil,
			"https://p.example/sso?a=1;b=2", http.StatusSeeOther},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			audit := &fakeAudit{}
			h := newTestHandler(tc.sessions, audit)
			if tc.edit != nil {
				tc.edit(h)
			}
			w := serveTest(h, tc.uri)
			loc := w.Header().Get("Location")
			if w.Code != tc.status || len(audit.events) != 0 || strings.Contains(loc, "token=") {
				t.Errorf("status %d (want %d), Location %q, %d events", w.Code, tc.status, loc, len(audit.events))
			}
			if w.Header().Get("Cache-Control") != "no-store" {
				t.Error("no Cache-Control: no-store")
			}
		})
	}
}
