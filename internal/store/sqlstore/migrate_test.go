package sqlstore_test

import (
	"crypto/rand"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

// TestMigrateFromPrevious: a database at the previous schema version with
// data in it migrates to the latest keeping every row; the new tables work
// with the old rows, foreign keys and cascades included; and migrating down
// to the previous version and up again keeps the old rows too. The data is
// version 1's kinds of row; a migration that reshapes newer tables should
// add its own.
func TestMigrateFromPrevious(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := t.Context()
			s := b.Empty(t)
			latest, err := s.LatestMigration()
			must(t, err)
			prev := latest - 1
			if prev < 1 {
				t.Skip("only one migration: nothing to migrate from")
			}
			must(t, s.MigrateTo(ctx, prev))
			wantVersion(t, s, prev)
			fillV1(t, s)
			before := readV1(t, s)

			for _, step := range []struct {
				name    string
				migrate func() error
				version int64
			}{
				{"up", func() error { return s.Migrate(ctx) }, latest},
				{"down", func() error { return s.MigrateDownTo(ctx, prev) }, prev},
				{"up again", func() error { return s.Migrate(ctx) }, latest},
			} {
				must(t, step.migrate())
				wantVersion(t, s, step.version)
				if got := readV1(t, s); !reflect.DeepEqual(got, before) {
					t.Fatalf("%s: rows changed:\n got %+v\nwant %+v", step.name, got, before)
				}
				if step.version == latest {
					useNewTables(t, s)
				}
			}
		})
	}
}

var at = time.Date(2026, 3, 1, 12, 0, 0, 123456000, time.UTC)

// v1Data is every kind of row schema version 1 holds, as read back.
type v1Data struct {
	tenant   v1Tenant
	members  []model.Member
	groups   []model.Group
	inGroup  []model.Member
	session  model.Session
	throttle model.ThrottleCounter
	audit    []model.AuditEvent
}

// createV1Tenant writes tenant t1 in version 1's columns: the store's
// tenant methods follow the latest schema, and these tests start older.
func createV1Tenant(t *testing.T, s *sqlstore.Store) {
	ctx := t.Context()
	_, err := s.DB().ExecContext(ctx, `INSERT INTO tenants (id, slug, name, issuer, after_logout_url, created_at, updated_at)
		VALUES ('t1', 'default', 'Default', 'https://idp.example', '', $1, $1)`, at.UnixMicro())
	must(t, err)
	for i, h := range []string{"idp.example", "sso.example"} {
		_, err = s.DB().ExecContext(ctx, `INSERT INTO tenant_hosts (host, tenant_id, is_issuer, position)
			VALUES ($1, 't1', $2, $3)`, h, i == 0, i)
		must(t, err)
	}
}

// v1Tenant is a tenant row in version 1's columns.
type v1Tenant struct {
	ID, Slug, Name, Issuer, Host string
	CreatedAt                    int64
}

func member(id, email string) model.Member {
	return model.Member{ID: id, TenantID: "t1", Email: email, Name: email,
		Status: model.StatusCurrent, CreatedAt: at, UpdatedAt: at}
}

// v1MemberCols are the columns of a member in version 1 (the store's
// member methods follow the latest schema, which has more).
const v1MemberCols = `members.id, members.tenant_id, members.email, members.email_verified, members.name, members.given_name,
	members.family_name, members.legacy_id, members.status, members.disabled, members.admin, members.password_hash,
	members.created_at, members.updated_at`

func createV1Member(t *testing.T, s *sqlstore.Store, m model.Member) {
	_, err := s.DB().ExecContext(t.Context(), `INSERT INTO members (tenant_id, id, email, email_norm, email_verified, name,
		name_norm, given_name, family_name, legacy_id, legacy_id_norm, status, disabled, admin, password_hash, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
		m.TenantID, m.ID, m.Email, strings.ToLower(m.Email), m.EmailVerified, m.Name, strings.ToLower(m.Name), m.GivenName,
		m.FamilyName, m.LegacyID, strings.ToLower(m.LegacyID), string(m.Status), m.Disabled, m.Admin, m.PasswordHash,
		m.CreatedAt.UnixMicro(), m.UpdatedAt.UnixMicro())
	must(t, err)
}

func readV1Members(t *testing.T, s *sqlstore.Store, query string) []model.Member {
	rows, err := s.DB().QueryContext(t.Context(), query)
	must(t, err)
	defer rows.Close()
	var out []model.Member
	for rows.Next() {
		var m model.Member
		var created, updated int64
		must(t, rows.Scan(&m.ID, &m.TenantID, &m.Email, &m.EmailVerified, &m.Name, &m.GivenName, &m.FamilyName, &m.LegacyID,
			&m.Status, &m.Disabled, &m.Admin, &m.PasswordHash, &created, &updated))
		m.CreatedAt, m.UpdatedAt = time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC()
		out = append(out, m)
	}
	must(t, rows.Err())
	return out
}

// fillV1 writes through the store: its version-1 methods touch only
// version-1 tables.
func fillV1(t *testing.T, s *sqlstore.Store) {
	ctx := t.Context()
	createV1Tenant(t, s)
	createV1Member(t, s, member("m1", "ada@example.com"))
	createV1Member(t, s, member("m2", "bob@example.com"))
	must(t, s.Groups().Create(ctx, model.Group{ID: "g1", TenantID: "t1", Name: "Staff", CreatedAt: at}))
	must(t, s.Groups().AddMember(ctx, "t1", "g1", "m1"))
	// Sessions in version 1's columns, like the tenant: later ones name the
	// browser.
	_, err := s.DB().ExecContext(ctx, `INSERT INTO sessions (tenant_id, id, member_id, auth_time, created_at,
		last_seen_at, expires_at, amr) VALUES ('t1', 's1', 'm1', $1, $1, $1, $2, '["pwd"]')`, at.UnixMicro(), at.Add(time.Hour).UnixMicro())
	must(t, err)
	_, err = s.Throttles().Update(ctx, "t1", "ip:192.0.2.1", func(c model.ThrottleCounter) (model.ThrottleCounter, error) {
		c.Tokens, c.UpdatedAt = 3, at
		return c, nil
	})
	must(t, err)
	must(t, s.Audit().Append(ctx, model.AuditEvent{TenantID: "t1", At: at, Actor: "member:m1",
		Action: "login.success", Detail: map[string]string{"amr": "pwd"}}))
}

func readV1(t *testing.T, s *sqlstore.Store) v1Data {
	ctx := t.Context()
	var d v1Data
	var err error
	must(t, s.DB().QueryRowContext(ctx, `SELECT t.id, t.slug, t.name, t.issuer, t.created_at, h.host
		FROM tenants t JOIN tenant_hosts h ON h.tenant_id = t.id WHERE t.id = 't1' AND h.position = 1`).Scan(
		&d.tenant.ID, &d.tenant.Slug, &d.tenant.Name, &d.tenant.Issuer, &d.tenant.CreatedAt, &d.tenant.Host))
	d.members = readV1Members(t, s, `SELECT `+v1MemberCols+` FROM members WHERE tenant_id = 't1' ORDER BY email_norm`)
	d.groups, err = s.Groups().List(ctx, "t1")
	must(t, err)
	d.inGroup = readV1Members(t, s, `SELECT `+v1MemberCols+` FROM members JOIN group_members g
		ON g.tenant_id = members.tenant_id AND g.member_id = members.id WHERE g.tenant_id = 't1' AND g.group_id = 'g1' ORDER BY email_norm`)
	var auth, created, seen, expires int64
	var amr string
	must(t, s.DB().QueryRowContext(ctx, `SELECT id, member_id, auth_time, created_at, last_seen_at, expires_at, amr
		FROM sessions WHERE tenant_id = 't1' AND id = 's1'`).Scan(&d.session.ID, &d.session.MemberID, &auth, &created, &seen, &expires, &amr))
	d.session.AuthTime, d.session.CreatedAt, d.session.LastSeenAt = time.UnixMicro(auth).UTC(), time.UnixMicro(created).UTC(), time.UnixMicro(seen).UTC()
	d.session.ExpiresAt, d.session.AMR = time.UnixMicro(expires).UTC(), []string{amr}
	d.throttle, err = s.Throttles().Update(ctx, "t1", "ip:192.0.2.1", func(c model.ThrottleCounter) (model.ThrottleCounter, error) {
		return c, nil
	})
	must(t, err)
	a, err := s.Audit().List(ctx, "t1", store.AuditQuery{})
	must(t, err)
	d.audit = a.Items
	return d
}

// useNewTables links new rows to version-1 rows and checks the cascade from
// an old table (members) into a new one (grants). It leaves the version-1
// rows as it found them.
func useNewTables(t *testing.T, s *sqlstore.Store) {
	ctx := t.Context()
	v, err := s.Clients().Version(ctx)
	must(t, err)
	must(t, s.Clients().Create(ctx, model.Client{ID: "c1", TenantID: "t1", Name: "App", CreatedAt: at}))
	if after, err := s.Clients().Version(ctx); err != nil || after <= v {
		t.Fatalf("clients version %d → %d, %v", v, after, err)
	}
	must(t, s.Grants().Create(ctx, model.Grant{ID: "gr1", TenantID: "t1", ClientID: "c1", MemberID: "m2",
		ExpiresAt: at.Add(time.Hour)}))
	must(t, s.Members().Delete(ctx, "t1", "m2"))
	if _, err := s.Grants().Get(ctx, "t1", "gr1"); err == nil {
		t.Fatal("grant outlived its member")
	}
	must(t, s.Members().Create(ctx, member("m2", "bob@example.com")))
	must(t, s.Clients().Delete(ctx, "t1", "c1"))
	// Tables newer than the previous version keep their rows when it is
	// migrated down to, so each call adds a key of its own.
	id := rand.Text()
	must(t, s.APIKeys().Create(ctx, model.APIKey{ID: id, TenantID: "t1", Hash: "h" + id, CreatedAt: at}))
	if k, err := s.APIKeys().GetByHash(ctx, "t1", "h"+id); err != nil || k.ID != id {
		t.Fatalf("api key = %+v, %v", k, err)
	}
	if got, err := s.Leases().Acquire(ctx, "jobs", "replica-1", time.Minute, at); err != nil || !got {
		t.Fatalf("lease = %v, %v", got, err)
	}
	must(t, s.Leases().Release(ctx, "jobs", "replica-1"))
	useUpstreamTables(t, s, id)
	useOneTimeLinks(t, s, id)
	useAuthResumes(t, s, id)
}

// useUpstreamTables links a version-1 member to a new connection and checks
// the cascade from members into identities; id keeps rows of earlier runs apart.
func useUpstreamTables(t *testing.T, s *sqlstore.Store, id string) {
	ctx := t.Context()
	must(t, s.Connections().Create(ctx, model.Connection{ID: id, TenantID: "t1",
		ConnectionSettings: model.ConnectionSettings{Name: "Okta", Domains: []string{id + ".example"}}, CreatedAt: at}))
	must(t, s.Members().Create(ctx, member("m-"+id, "ada@"+id+".example")))
	link := model.Identity{TenantID: "t1", ConnectionID: id, Issuer: "https://okta.example", Subject: "s", MemberID: "m-" + id}
	must(t, s.Identities().Create(ctx, link))
	must(t, s.Members().Delete(ctx, "t1", "m-"+id))
	if _, err := s.Identities().Get(ctx, "t1", id, link.Issuer, "s"); err == nil {
		t.Fatal("identity outlived its member")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
