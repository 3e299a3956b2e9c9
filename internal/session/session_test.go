package session

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
	"github.com/guildgate/guildgate/internal/tenancy"
)

type clock struct{ t time.Time }

func (c *clock) Now() time.Time          { return c.t }
func (c *clock) Advance(d time.Duration) { c.t = c.t.Add(d) }

type fixture struct {
	st      store.Store
	clock   *clock
	m       *Manager
	tenant  model.Tenant
	member  model.Member
	another model.Tenant
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	st := storetest.NewSQLite(t)
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	f := &fixture{st: st, clock: c, m: &Manager{Store: st.Sessions(), Now: c.Now}}
	f.tenant = model.Tenant{ID: ids.NewUUID(), Slug: "bakers", Name: "Bakers", Issuer: "https://bakers.example", CreatedAt: c.t, UpdatedAt: c.t}
	f.another = model.Tenant{ID: ids.NewUUID(), Slug: "smiths", Name: "Smiths", Issuer: "https://smiths.example", CreatedAt: c.t, UpdatedAt: c.t}
	for _, tn := range []model.Tenant{f.tenant, f.another} {
		if err := st.Tenants().Create(ctx, tn); err != nil {
			t.Fatal(err)
		}
	}
	f.member = model.Member{ID: ids.NewUUID(), TenantID: f.tenant.ID, Email: "ann@example.org", Name: "Ann",
		Status: model.StatusCurrent, CreatedAt: c.t, UpdatedAt: c.t}
	if err := st.Members().Create(ctx, f.member); err != nil {
		t.Fatal(err)
	}
	return f
}

// request builds a request in tenant t carrying cookies.
func request(t model.Tenant, cookies ...*http.Cookie) *http.Request {
	r := httptest.NewRequest("GET", "https://sso.example/", nil)
	for _, c := range cookies {
		r.AddCookie(c)
	}
	return r.WithContext(tenancy.NewContext(r.Context(), t))
}

// start signs the fixture's member in and returns the session cookie.
func (f *fixture) start(t testing.TB, old ...*http.Cookie) (model.Session, *http.Cookie) {
	t.Helper()
	w := httptest.NewRecorder()
	s, err := f.m.Start(w, request(f.tenant, old...), f.tenant, f.member, []string{"pwd"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == CookieName {
			return s, c
		}
	}
	t.Fatal("no session cookie set")
	return s, nil
}

func TestStartSetsHostOnlyCookieAndStoresHash(t *testing.T) {
	f := newFixture(t)
	s, c := f.start(t)
	if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" {
		t.Fatalf("cookie attributes %+v", c)
	}
	if s.ID != ids.Hash(c.Value) || s.ID == c.Value {
		t.Fatal("stored id must be the hash of the cookie value")
	}
	if c.MaxAge != int(DefaultAbsolute/time.Second) || !s.ExpiresAt.Equal(f.clock.t.Add(DefaultAbsolute)) {
		t.Fatalf("cookie max-age %v session expires %v", c.MaxAge, s.ExpiresAt)
	}
	got, m, err := f.m.Current(request(f.tenant, c))
	if err != nil || got.ID != s.ID || m.ID != f.member.ID || len(got.AMR) != 1 || got.AMR[0] != "pwd" {
		t.Fatalf("Current = %+v, %+v, %v", got, m, err)
	}
}

func TestStartReplacesPreviousSession(t *testing.T) {
	f := newFixture(t)
	s1, c1 := f.start(t)
	s2, c2 := f.start(t, c1)
	if s1.ID == s2.ID || c1.Value == c2.Value {
		t.Fatal("login reused the session id (fixation)")
	}
	if _, err := f.st.Sessions().Get(context.Background(), f.tenant.ID, s1.ID); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("old session still stored: %v", err)
	}
	if _, _, err := f.m.Current(request(f.tenant, c1)); !errors.Is(err, ErrNoSession) {
		t.Fatalf("old cookie still works: %v", err)
	}
}

func TestIdleExpiry(t *testing.T) {
	f := newFixture(t)
	_, c := f.start(t)
	f.clock.Advance(DefaultIdle - time.Minute)
	if _, _, err := f.m.Current(request(f.tenant, c)); err != nil {
		t.Fatalf("active before idle limit: %v", err)
	}
	f.clock.Advance(DefaultIdle - time.Second) // touched a moment ago, so still alive
	if _, _, err := f.m.Current(request(f.tenant, c)); err != nil {
		t.Fatalf("activity did not extend the idle limit: %v", err)
	}
	f.clock.Advance(DefaultIdle)
	if _, _, err := f.m.Current(request(f.tenant, c)); !errors.Is(err, ErrNoSession) {
		t.Fatalf("after idle limit: %v", err)
	}
}

func TestAbsoluteExpiryDespiteActivity(t *testing.T) {
	f := newFixture(t)
	f.m.Absolute = 3 * time.Hour
	_, c := f.start(t)
	for i := 0; i < 5; i++ {
		f.clock.Advance(30 * time.Minute)
		if _, _, err := f.m.Current(request(f.tenant, c)); err != nil {
			t.Fatalf("after %d half-hours: %v", i+1, err)
		}
	}
	f.clock.Advance(30 * time.Minute)
	if _, _, err := f.m.Current(request(f.tenant, c)); !errors.Is(err, ErrNoSession) {
		t.Fatalf("at absolute limit: %v", err)
	}
}

func TestTouchAtMostOncePerMinute(t *testing.T) {
	f := newFixture(t)
	s, c := f.start(t)
	lastSeen := func() time.Time {
		got, err := f.st.Sessions().Get(context.Background(), f.tenant.ID, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.LastSeenAt
	}
	f.clock.Advance(30 * time.Second)
	_, _, _ = f.m.Current(request(f.tenant, c))
	if !lastSeen().Equal(s.LastSeenAt) {
		t.Fatal("touched within the first minute")
	}
	f.clock.Advance(31 * time.Second)
	_, _, _ = f.m.Current(request(f.tenant, c))
	if !lastSeen().Equal(f.clock.t) {
		t.Fatalf("not touched after a minute: %v", lastSeen())
	}
}

func TestNoSessionCases(t *testing.T) {
	f := newFixture(t)
	_, c := f.start(t)
	ctx := context.Background()
	cases := map[string]*http.Request{
		"no cookie":      request(f.tenant),
		"garbage cookie": request(f.tenant, &http.Cookie{Name: CookieName, Value: "x"}),
		"unknown cookie": request(f.tenant, &http.Cookie{Name: CookieName, Value: ids.NewToken(32)}),
		"other tenant":   request(f.another, c),
		"no tenant":      httptest.NewRequest("GET", "/", nil),
	}
	for name, r := range cases {
		if _, _, err := f.m.Current(r); !errors.Is(err, ErrNoSession) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := f.st.Members().Update(ctx, f.tenant.ID, f.member.ID, func(m model.Member) (model.Member, error) {
		m.Disabled = true
		return m, nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.m.Current(request(f.tenant, c)); !errors.Is(err, ErrNoSession) {
		t.Errorf("disabled member: %v", err)
	}
}

func TestDeletedMemberHasNoSession(t *testing.T) {
	f := newFixture(t)
	_, c := f.start(t)
	if err := f.st.Members().Delete(context.Background(), f.tenant.ID, f.member.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.m.Current(request(f.tenant, c)); !errors.Is(err, ErrNoSession) {
		t.Fatalf("deleted member: %v", err)
	}
}

func TestEnd(t *testing.T) {
	f := newFixture(t)
	s, c := f.start(t)
	w := httptest.NewRecorder()
	if err := f.m.End(w, request(f.tenant, c)); err != nil {
		t.Fatal(err)
	}
	cleared := w.Result().Cookies()
	if len(cleared) != 1 || cleared[0].Name != CookieName || cleared[0].MaxAge >= 0 || cleared[0].Value != "" {
		t.Fatalf("cookie not expired: %+v", cleared)
	}
	if _, err := f.st.Sessions().Get(context.Background(), f.tenant.ID, s.ID); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("session still stored: %v", err)
	}
	if err := f.m.End(httptest.NewRecorder(), request(f.tenant, c)); err != nil {
		t.Fatalf("ending twice: %v", err)
	}
}
