package clients

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

// clock is a fake time source that tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fixture is a Service over a real store whose address the test knows, so
// it can open a second store ("replica") on it and, for SQLite, read the
// raw file bytes.
type fixture struct {
	t      testing.TB
	svc    *Service
	st     *sqlstore.Store
	db     string
	keys   *secrets.Keyring
	clock  *clock
	tenant string
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	return newFixtureOn(t, filepath.Join(t.TempDir(), "guildgate.db"))
}

// eachBackend runs fn on SQLite and, when GUILDGATE_TEST_POSTGRES is set,
// on PostgreSQL, where replicas really are separate connections to one
// server.
func eachBackend(t *testing.T, fn func(t *testing.T, f *fixture)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, newFixture(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, newFixtureOn(t, storetest.PostgresDSN(t))) })
}

// newFixtureOn opens and migrates the database at db (a SQLite path or a
// postgres:// URL).
func newFixtureOn(t testing.TB, db string) *fixture {
	t.Helper()
	st := openStore(t, db)
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	keys, err := secrets.NewKeyring(secrets.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	ten := model.Tenant{ID: "t1", Slug: "default", Name: "default", Issuer: "https://localhost:8443", CreatedAt: clk.t, UpdatedAt: clk.t}
	if err := st.Tenants().Create(context.Background(), ten); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, st: st, db: db, keys: keys, clock: clk, tenant: ten.ID}
	f.svc = f.service(st)
	return f
}

func openStore(t testing.TB, db string) *sqlstore.Store {
	t.Helper()
	st, err := sqlstore.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// service builds a Service over st that shares the fixture's key and clock.
func (f *fixture) service(st *sqlstore.Store) *Service {
	return &Service{Store: st.Clients(), Groups: st.Groups(), Grants: st.Grants(), Audit: st.Audit(), Secrets: f.keys, Now: f.clock.Now}
}

// replica is a second Service on its own connection to the same database,
// as another server process would be.
func (f *fixture) replica() *Service { return f.service(openStore(f.t, f.db)) }

func (f *fixture) create(in Input) View {
	f.t.Helper()
	v, err := f.svc.Create(context.Background(), "cli", f.tenant, in)
	if err != nil {
		f.t.Fatalf("Create(%+v): %v", in, err)
	}
	return v
}

func (f *fixture) group(name string) model.Group {
	f.t.Helper()
	g := model.Group{ID: "g-" + name, TenantID: f.tenant, Name: name, CreatedAt: f.clock.Now(), UpdatedAt: f.clock.Now()}
	if err := f.st.Groups().Create(context.Background(), g); err != nil {
		f.t.Fatal(err)
	}
	return g
}

func (f *fixture) member(email string, groups ...model.Group) model.Member {
	f.t.Helper()
	ctx := context.Background()
	m := model.Member{ID: "m-" + email, TenantID: f.tenant, Email: email, Name: email, Status: model.StatusCurrent,
		CreatedAt: f.clock.Now(), UpdatedAt: f.clock.Now()}
	if err := f.st.Members().Create(ctx, m); err != nil {
		f.t.Fatal(err)
	}
	for _, g := range groups {
		if err := f.st.Groups().AddMember(ctx, f.tenant, g.ID, m.ID); err != nil {
			f.t.Fatal(err)
		}
	}
	return m
}

// web is a typical confidential web app.
func web() Input {
	return Input{Name: "Events app", RedirectURIs: []string{"https://events.example/cb"}}
}
