package oidc_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/app"
	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/config"
	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/oidc"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
	"github.com/guildgate/guildgate/internal/testenv"
)

// harness is the real app (app.New: every handler and middleware) behind an
// httptest TLS server, on a temporary SQLite store (or the database
// newHarnessOn is given), with a clock the test
// moves. Fixtures (members, clients, grants, codes) go straight into the
// store, so the token-side rules are tested apart from /oauth/authorize.
type harness struct {
	t       testing.TB
	URL     string
	HTTP    *http.Client
	Store   *sqlstore.Store
	Clock   *fakeClock
	Tenant  model.Tenant
	Clients *clients.Service
	Logs    *testenv.SyncBuffer
}

// fakeClock is real time plus an offset the test advances, so caches and
// sessions still age naturally while expiry can be jumped to.
type fakeClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	return newHarnessOn(t, "")
}

// newHarnessOn is newHarness on the database named by dsn (a PostgreSQL
// URL, say); "" is a fresh SQLite file.
func newHarnessOn(t testing.TB, dsn string) *harness {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.DataDir, cfg.Database = dir, filepath.Join(dir, "guildgate.db")
	if dsn != "" {
		cfg.Database = dsn
	}
	st, err := app.OpenStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv := httptest.NewUnstartedServer(nil)
	cfg.Issuer = "https://" + srv.Listener.Addr().String()
	keyring, _, err := secrets.LoadMasterKey("", dir)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, Store: st, Clock: &fakeClock{}, Logs: &testenv.SyncBuffer{}}
	logger := slog.New(slog.NewJSONHandler(h.Logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if _, bench := t.(*testing.B); !bench {
		logger = slog.New(slog.NewJSONHandler(h.Logs, nil))
	}
	a, err := app.New(ctx, app.Deps{Store: st, Config: cfg, Logger: logger, Now: h.Clock.Now, Keyring: keyring})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = a.Handler
	srv.StartTLS()
	t.Cleanup(srv.Close)
	h.URL, h.HTTP, h.Tenant = srv.URL, srv.Client(), a.Default
	h.HTTP.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
	h.Clients = &clients.Service{Store: st.Clients(), Groups: st.Groups(), Grants: st.Grants(), Audit: st.Audit(), Secrets: keyring, Now: h.Clock.Now}
	return h
}

// testClient is a registered client as a relying party knows it.
type testClient struct {
	ID, Secret string
	Public     bool
	Redirect   string
}

// addClient registers a client through the clients service and waits out
// the app's client cache, so the app sees it.
func (h *harness) addClient(in clients.Input) testClient {
	h.t.Helper()
	if in.Name == "" {
		in.Name = "Events app"
	}
	if in.RedirectURIs == nil && !isClientCredentialsOnly(in.GrantTypes) {
		in.RedirectURIs = []string{"https://rp.example/cb"}
	}
	v, err := h.Clients.Create(context.Background(), "test", h.Tenant.ID, in)
	if err != nil {
		h.t.Fatal(err)
	}
	h.Clock.Advance(clients.DefaultCacheTTL + time.Second)
	c := testClient{ID: v.ID, Secret: v.Secret, Public: v.Public}
	if len(v.RedirectURIs) > 0 {
		c.Redirect = v.RedirectURIs[0]
	}
	return c
}

func isClientCredentialsOnly(grants []string) bool {
	return len(grants) == 1 && grants[0] == model.GrantClientCredentials
}

// addMember stores a member directly (no password: these tests never sign in).
func (h *harness) addMember(email string) model.Member {
	h.t.Helper()
	now := h.Clock.Now().UTC().Truncate(time.Microsecond)
	m := model.Member{ID: ids.NewUUID(), TenantID: h.Tenant.ID, Email: email, EmailVerified: true,
		Name: "Ada Lovelace", GivenName: "Ada", FamilyName: "Lovelace", Status: model.StatusCurrent,
		LegacyID: "L-1815", Language: "nl", CreatedAt: now, UpdatedAt: now}
	if err := h.Store.Members().Create(context.Background(), m); err != nil {
		h.t.Fatal(err)
	}
	return m
}

// codeSpec describes an authorization as /oauth/authorize would record it.
type codeSpec struct {
	Scopes    []string // default: openid profile email
	Nonce     string
	Verifier  string // a PKCE challenge is stored for it when set
	Redirect  string // default: the client's first redirect URI
	SessionID string
}

// newCode stores a grant and an authorization code for it, and returns the
// code's value and the grant.
func (h *harness) newCode(c testClient, m model.Member, s codeSpec) (string, model.Grant) {
	h.t.Helper()
	ctx, now := context.Background(), h.Clock.Now().UTC().Truncate(time.Microsecond)
	if s.Scopes == nil {
		s.Scopes = []string{"openid", "profile", "email"}
	}
	if s.Redirect == "" {
		s.Redirect = c.Redirect
	}
	g := model.Grant{ID: ids.NewUUID(), TenantID: h.Tenant.ID, ClientID: c.ID, MemberID: m.ID, SessionID: s.SessionID,
		Scopes: s.Scopes, AuthTime: now.Add(-time.Minute), CreatedAt: now, ExpiresAt: now.Add(oidc.RefreshTTL)}
	if err := h.Store.Grants().Create(ctx, g); err != nil {
		h.t.Fatal(err)
	}
	code := ids.NewToken(32)
	ac := model.AuthCode{Hash: ids.Hash(code), TenantID: h.Tenant.ID, GrantID: g.ID, ClientID: c.ID, MemberID: m.ID,
		SessionID: s.SessionID, RedirectURI: s.Redirect, Scopes: s.Scopes, Nonce: s.Nonce, AuthTime: g.AuthTime,
		CreatedAt: now, ExpiresAt: now.Add(oidc.CodeTTL)}
	if s.Verifier != "" {
		ac.CodeChallenge, ac.CodeChallengeMethod = challengeOf(s.Verifier), "S256"
	}
	if err := h.Store.AuthCodes().Create(ctx, ac); err != nil {
		h.t.Fatal(err)
	}
	return code, g
}

func challengeOf(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-extra-entropy"

// mustGroup stores a group and returns its id.
func mustGroup(t testing.TB, h *harness, name string) string {
	t.Helper()
	now := h.Clock.Now().UTC().Truncate(time.Microsecond)
	g := model.Group{ID: ids.NewUUID(), TenantID: h.Tenant.ID, Name: name, CreatedAt: now, UpdatedAt: now}
	if err := h.Store.Groups().Create(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	return g.ID
}

// newRefresh stores a refresh token of g's family, as a code exchange with
// offline_access would, and returns its value.
func (h *harness) newRefresh(g model.Grant) string {
	h.t.Helper()
	now := h.Clock.Now().UTC().Truncate(time.Microsecond)
	value := ids.NewToken(32)
	err := h.Store.RefreshTokens().Create(context.Background(), model.RefreshToken{
		Hash: ids.Hash(value), TenantID: g.TenantID, GrantID: g.ID, ClientID: g.ClientID, MemberID: g.MemberID,
		Scopes: g.Scopes, AuthTime: g.AuthTime, CreatedAt: now, ExpiresAt: now.Add(oidc.RefreshTTL)})
	if err != nil {
		h.t.Fatal(err)
	}
	return value
}
