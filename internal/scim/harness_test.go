package scim

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/linking"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/outbox"
	"github.com/guildgate/guildgate/internal/password"
	"github.com/guildgate/guildgate/internal/scimtokens"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
	"github.com/guildgate/guildgate/internal/tenancy"
	"github.com/guildgate/guildgate/internal/webhooks"
)

var clock = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// world is one site on a real store with two organisations' connections:
// acme (Okta, acme.example, its Engineering group mapped to the local
// Staff) and contoso (Entra ID, contoso.example, Sales mapped to Sales),
// each with its SCIM token; and a second site with a connection of its own.
type world struct {
	t              *testing.T
	st             store.Store
	h              http.Handler
	tenant, other  model.Tenant
	acme, contoso  model.Connection
	staff, sales   model.Group
	acmeToken      string
	contosoToken   string
	otherSiteToken string
	client         model.Client
	keys           *secrets.Keyring // seals the outbox's webhook items
}

func newWorld(t *testing.T, st store.Store) *world {
	t.Helper()
	ctx := t.Context()
	w := &world{t: t, st: st}
	w.tenant = model.Tenant{ID: "t1", Slug: "default", Name: "Guild", Issuer: "https://sso.guild.example",
		CreatedAt: clock, UpdatedAt: clock}
	w.other = model.Tenant{ID: "t2", Slug: "other", Name: "Other", Issuer: "https://sso.other.example",
		CreatedAt: clock, UpdatedAt: clock}
	for _, tn := range []model.Tenant{w.tenant, w.other} {
		must(t, st.Tenants().Create(ctx, tn))
	}
	w.staff = model.Group{ID: "g-staff", TenantID: "t1", Name: "Staff", CreatedAt: clock, UpdatedAt: clock}
	w.sales = model.Group{ID: "g-sales", TenantID: "t1", Name: "Sales", CreatedAt: clock, UpdatedAt: clock}
	must(t, st.Groups().Create(ctx, w.staff))
	must(t, st.Groups().Create(ctx, w.sales))
	w.acme = w.connection("t1", "acme", "acme.example", model.GroupMapping{Upstream: "Engineering", GroupID: w.staff.ID})
	w.contoso = w.connection("t1", "contoso", "contoso.example", model.GroupMapping{Upstream: "Sales", GroupID: w.sales.ID})
	elsewhere := w.connection("t2", "elsewhere", "acme.example")
	now := func() time.Time { return clock }
	tokens := &scimtokens.Service{Connections: st.Connections(), SCIM: st.SCIM(), Audit: st.Audit(), Now: now}
	w.acmeToken = issue(t, tokens, "t1", w.acme.ID)
	w.contosoToken = issue(t, tokens, "t1", w.contoso.ID)
	w.otherSiteToken = issue(t, tokens, "t2", elsewhere.ID)
	w.client = model.Client{ID: "c-lms", TenantID: "t1", Name: "LMS", RedirectURIs: []string{"https://lms.example/cb"},
		IDTokenAlg: model.AlgRS256, GrantTypes: []string{model.GrantAuthorizationCode}, AllMembers: true,
		CreatedAt: clock, UpdatedAt: clock}
	must(t, st.Clients().Create(ctx, w.client))
	w.h = w.handler(tokens, now)
	return w
}

func (w *world) connection(tenantID, id, domain string, gm ...model.GroupMapping) model.Connection {
	c := model.Connection{ID: id, TenantID: tenantID, ConnectionSettings: model.ConnectionSettings{Name: id,
		Domains: []string{domain}, JITStatus: model.StatusCurrent, IssuerMode: model.IssuerExact}, GroupMap: gm,
		CreatedAt: clock, UpdatedAt: clock}
	must(w.t, w.st.Connections().Create(w.t.Context(), c))
	return c
}

func issue(t *testing.T, tokens *scimtokens.Service, tenantID, connID string) string {
	token, err := tokens.Issue(t.Context(), "cli", tenantID, connID)
	must(t, err)
	return token
}

// handler is the SCIM server as the app mounts it: behind the site's body
// limit, with the tenant of the host in the context.
func (w *world) handler(tokens *scimtokens.Service, now func() time.Time) http.Handler {
	st := w.st
	keys, err := secrets.NewKeyring(secrets.GenerateKey())
	must(w.t, err)
	w.keys = keys
	// A partner app hears of every change, as in the app.
	must(w.t, st.WebhookEndpoints().Create(w.t.Context(), model.WebhookEndpoint{ID: "hook", TenantID: "t1",
		URL: "https://lms.example/hooks", Events: model.WebhookEvents, CreatedAt: clock, UpdatedAt: clock,
		Secrets: []model.ClientSecret{{Ciphertext: "sealed", CreatedAt: clock}}}))
	queue := &outbox.Queue{Keyring: keys, Now: now}
	dir := &directory.Service{Members: st.Members(), Groups: st.Groups(), Grants: st.Grants(), Clients: st.Clients(),
		Sessions: st.Sessions(), Audit: st.Audit(), Atomic: st.Atomic,
		Hasher: password.NewHasher(password.Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}), Now: now,
		Events: &webhooks.Events{Now: now, Queue: func(context.Context) (*outbox.Queue, error) { return queue, nil }}}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := &Handler{Tokens: tokens, Identities: st.Identities(), Members: st.Members(), SCIM: st.SCIM(), Directory: dir,
		Linking: &linking.Service{Identities: st.Identities(), Members: st.Members(), Groups: st.Groups(),
			Audit: st.Audit(), Directory: dir, Logger: logger, Now: now},
		Audit: st.Audit(), Logger: logger, Now: now}
	mux := http.NewServeMux()
	h.Mount(mux)
	return httpx.LimitBody(httpx.DefaultBodyLimit)(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		t := w.tenant
		if r.Host == "sso.other.example" {
			t = w.other
		}
		mux.ServeHTTP(rw, r.WithContext(tenancy.NewContext(r.Context(), t)))
	}))
}

// response is one SCIM answer.
type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// do sends one request with token (none when empty) and a JSON body (none
// when nil; sent as is when a string or []byte).
func (w *world) do(method, path, token string, body any) response {
	w.t.Helper()
	return w.doAs(method, path, token, body, false)
}

// doAs is do, the body sent as a form when asForm.
func (w *world) doAs(method, path, token string, body any, asForm bool) response {
	w.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		must(w.t, err)
		rd = bytes.NewReader(raw)
	}
	r := httptest.NewRequestWithContext(context.Background(), method, "https://sso.guild.example"+path, rd)
	if rd != nil {
		r.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
		if asForm {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, r)
	res := response{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &res.body); err != nil {
			w.t.Fatalf("%s %s: %d, not JSON: %q", method, path, rec.Code, rec.Body.String())
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/scim+json" {
			w.t.Fatalf("%s %s: Content-Type %q", method, path, ct)
		}
	}
	return res
}

// wantError checks a SCIM error response (RFC 7644 §3.12).
func (r response) wantError(t *testing.T, status int, scimType string) {
	t.Helper()
	if r.status != status || r.body["status"] != strconv.Itoa(status) ||
		r.body["scimType"] != nilIfEmpty(scimType) || r.body["detail"] == "" ||
		!contains(r.body["schemas"], errorSchema) {
		t.Fatalf("want SCIM error %d %q, got %d %s", status, scimType, r.status, r.raw)
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func contains(list any, s string) bool {
	l, _ := list.([]any)
	for _, v := range l {
		if v == s {
			return true
		}
	}
	return false
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// backends runs fn on each database (PostgreSQL skips itself unless
// GUILDGATE_TEST_POSTGRES is set).
func backends(t *testing.T, fn func(t *testing.T, w *world)) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) { fn(t, newWorld(t, b.New(t))) })
	}
}

// events returns the webhook events queued for member id, oldest first.
func (w *world) events(memberID string) []string {
	w.t.Helper()
	p, err := w.st.Outbox().List(w.t.Context(), "t1", store.OutboxQuery{Kind: webhooks.Kind, Stream: "hook:" + memberID,
		Limit: store.MaxLimit})
	must(w.t, err)
	var out []string
	for i := len(p.Items) - 1; i >= 0; i-- {
		payload, err := outbox.Open(w.keys, p.Items[i])
		must(w.t, err)
		var msg webhooks.Message
		var ev webhooks.Event
		must(w.t, json.Unmarshal(payload, &msg))
		must(w.t, json.Unmarshal(msg.Body, &ev))
		out = append(out, ev.Type)
	}
	return out
}
