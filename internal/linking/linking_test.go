package linking

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/password"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

const (
	tenant = "t1"
	iss    = "https://idp.acme.example"
)

var clock = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// world is one tenant on a real (SQLite) store: a connection serving
// acme.example whose upstream group Engineering maps to the local Staff,
// an Entra multi-tenant connection whose tenant tid-a may assert a.example
// and tid-b b.example, and whatever members and links a case adds.
type world struct {
	t     *testing.T
	st    *sqlstore.Store
	svc   *Service
	acme  model.Connection
	entra model.Connection
	staff model.Group
}

func newWorld(t *testing.T, edit func(c *model.Connection)) *world {
	t.Helper()
	ctx := t.Context()
	st := storetest.NewSQLite(t)
	must(t, st.Tenants().Create(ctx, model.Tenant{ID: tenant, Slug: "default", Name: "Guild",
		Issuer: "https://sso.guild.example", CreatedAt: clock, UpdatedAt: clock}))
	now := func() time.Time { return clock }
	dir := &directory.Service{Members: st.Members(), Groups: st.Groups(), Grants: st.Grants(), Clients: st.Clients(),
		Sessions: st.Sessions(), Audit: st.Audit(), Atomic: st.Atomic,
		Hasher: password.NewHasher(password.Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}), Now: now}
	w := &world{t: t, st: st, svc: &Service{Identities: st.Identities(), Members: st.Members(), Groups: st.Groups(),
		Audit: st.Audit(), Directory: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: now}}
	w.staff = model.Group{ID: "g-staff", TenantID: tenant, Name: "Staff", CreatedAt: clock}
	must(t, st.Groups().Create(ctx, w.staff))
	w.acme = model.Connection{ID: "acme", TenantID: tenant,
		ConnectionSettings: model.ConnectionSettings{Name: "Acme", Domains: []string{"acme.example"},
			JITStatus: model.StatusCurrent, IssuerMode: model.IssuerExact, Claims: model.ClaimMapping{Groups: "groups"}},
		GroupMap: []model.GroupMapping{{Upstream: "Engineering", GroupID: w.staff.ID}}, CreatedAt: clock, UpdatedAt: clock}
	w.entra = model.Connection{ID: "entra", TenantID: tenant,
		ConnectionSettings: model.ConnectionSettings{Name: "Entra", Domains: []string{"a.example", "b.example"},
			JITStatus: model.StatusCurrent, IssuerMode: model.IssuerEntraMultiTenant, EntraTenants: []model.EntraTenant{
				{ID: "tid-a", Domains: []string{"a.example"}}, {ID: "tid-b", Domains: []string{"b.example"}}}},
		CreatedAt: clock, UpdatedAt: clock}
	if edit != nil {
		edit(&w.acme)
		edit(&w.entra)
	}
	must(t, st.Connections().Create(ctx, w.acme))
	must(t, st.Connections().Create(ctx, w.entra))
	return w
}

// member adds a member with a password (so they existed before any upstream).
func (w *world) member(email string, edit func(*model.Member)) model.Member {
	m := model.Member{ID: "m-" + strings.Split(email, "@")[0], TenantID: tenant, Email: email, Name: "Old Name",
		Status: model.StatusCurrent, PasswordHash: "x", CreatedAt: clock, UpdatedAt: clock}
	if edit != nil {
		edit(&m)
	}
	must(w.t, w.st.Members().Create(w.t.Context(), m))
	return m
}

func (w *world) link(c model.Connection, subject string, m model.Member) {
	must(w.t, w.st.Identities().Create(w.t.Context(), model.Identity{TenantID: tenant, ConnectionID: c.ID,
		Issuer: iss, Subject: subject, MemberID: m.ID, CreatedAt: clock}))
}

// state is what a case can see afterwards: every member by email, and
// every link as "connection/subject" → member email.
type state struct {
	members map[string]model.Member
	links   map[string]string
}

func (w *world) state() state {
	w.t.Helper()
	p, err := w.st.Members().List(w.t.Context(), tenant, store.MemberQuery{Limit: store.MaxLimit})
	must(w.t, err)
	s := state{members: map[string]model.Member{}, links: map[string]string{}}
	for _, m := range p.Items {
		s.members[m.Email] = m
		ids, err := w.st.Identities().ListForMember(w.t.Context(), tenant, m.ID)
		must(w.t, err)
		for _, id := range ids {
			s.links[id.ConnectionID+"/"+id.Subject] = m.Email
		}
	}
	return s
}

func (s state) groups(t *testing.T, st *sqlstore.Store, email string) []string {
	gs, err := st.Groups().ListForMember(t.Context(), tenant, s.members[email].ID)
	must(t, err)
	var names []string
	for _, g := range gs {
		names = append(names, g.Name)
	}
	return names
}

func facts(sub, email string, verified bool) Facts {
	return Facts{Issuer: iss, Subject: sub, Email: email, EmailVerified: verified, Name: "Ada Lovelace",
		GivenName: "Ada", FamilyName: "Lovelace", Groups: []string{"Engineering"}}
}

func inTenant(tid string, f Facts) Facts { f.Tenant = tid; return f }

func trustEmail(c *model.Connection) { c.TrustEmail = true }
func jit(c *model.Connection)        { c.JIT = true }

// TestSignIn runs every rule, each on a fresh store: the member signed in
// (or the refusal), then the whole directory and every link, so a case
// shows what changed and, as much, what did not.
func TestSignIn(t *testing.T) {
	for _, tc := range []struct {
		name   string
		conn   func(*model.Connection)
		before func(w *world)
		entra  bool // sign in through the Entra connection
		facts  Facts
		want   string // the member's email, or the Refusal's reason
		after  func(t *testing.T, w *world, s state)
	}{
		// Linking an existing member by email.
		{name: "verified email links", before: func(w *world) { w.member("ada@acme.example", nil) },
			facts: facts("s1", "ada@acme.example", true), want: "ada@acme.example",
			after: func(t *testing.T, w *world, s state) {
				wantLinks(t, s, "acme/s1", "ada@acme.example")
				// The connection vouched for the address: it is verified now, and the profile refreshed.
				if m := s.members["ada@acme.example"]; !m.EmailVerified || m.Name != "Ada Lovelace" {
					t.Fatalf("member %+v", m)
				}
			}},
		{name: "trusted connection links an unverified email", conn: trustEmail,
			before: func(w *world) { w.member("ada@acme.example", nil) },
			facts:  facts("s1", "ADA@acme.example", false), want: "ada@acme.example",
			after: func(t *testing.T, w *world, s state) {
				wantLinks(t, s, "acme/s1", "ada@acme.example")
				if !s.members["ada@acme.example"].EmailVerified {
					t.Fatal("a trusted connection's email was not marked verified")
				}
			}},
		{name: "unverified email does not link", before: func(w *world) { w.member("ada@acme.example", nil) },
			facts: facts("attacker", "ada@acme.example", false), want: "email_not_vouched",
			after: func(t *testing.T, w *world, s state) { wantUntouched(t, s, "ada@acme.example") }},
		{name: "email of another domain does not link", conn: trustEmail,
			before: func(w *world) { w.member("ceo@other.example", nil) },
			facts:  facts("attacker", "ceo@other.example", true), want: "domain_not_served",
			after: func(t *testing.T, w *world, s state) { wantUntouched(t, s, "ceo@other.example") }},
		{name: "no email", conn: trustEmail, facts: facts("s1", "", true), want: "no_email"},
		{name: "an email with no local part", conn: jit, facts: facts("s1", "@acme.example", true), want: "bad_profile"},
		{name: "disabled member is not linked", before: func(w *world) {
			w.member("ada@acme.example", func(m *model.Member) { m.Disabled = true })
		}, facts: facts("s1", "ada@acme.example", true), want: "disabled",
			after: func(t *testing.T, w *world, s state) { wantUntouched(t, s, "ada@acme.example") }},
		{name: "a member linked to another subject is linked again",
			before: func(w *world) { w.link(w.acme, "old-account", w.member("ada@acme.example", nil)) },
			facts:  facts("recreated-account", "ada@acme.example", true), want: "ada@acme.example",
			after: func(t *testing.T, w *world, s state) {
				wantLinks(t, s, "acme/old-account", "ada@acme.example", "acme/recreated-account", "ada@acme.example")
			}},

		// Just-in-time creation.
		{name: "jit creates for a verified email", conn: jit, facts: facts("s1", "ada@acme.example", true),
			want: "ada@acme.example", after: func(t *testing.T, w *world, s state) {
				m := s.members["ada@acme.example"]
				if len(s.members) != 1 || !m.EmailVerified || m.Name != "Ada Lovelace" || m.Status != model.StatusCurrent ||
					m.PasswordHash != "" {
					t.Fatalf("created %+v", m)
				}
				wantLinks(t, s, "acme/s1", "ada@acme.example")
				if g := s.groups(t, w.st, "ada@acme.example"); !slices.Equal(g, []string{"Staff"}) {
					t.Fatalf("groups %v", g)
				}
			}},
		{name: "jit creates for a trusted connection",
			conn:  func(c *model.Connection) { jit(c); trustEmail(c); c.JITStatus = model.StatusGracePeriod },
			facts: facts("s1", "ada@acme.example", false), want: "ada@acme.example",
			after: func(t *testing.T, w *world, s state) {
				if m := s.members["ada@acme.example"]; m.Status != model.StatusGracePeriod || !m.EmailVerified {
					t.Fatalf("created %+v", m)
				}
			}},
		{name: "jit refuses an unverified email", conn: jit, facts: facts("s1", "ada@acme.example", false),
			want: "email_not_vouched", after: wantEmpty},
		{name: "jit refuses another domain", conn: func(c *model.Connection) { jit(c); trustEmail(c) },
			facts: facts("s1", "ada@other.example", true), want: "domain_not_served", after: wantEmpty},
		{name: "jit refuses a profile the directory would not accept", conn: jit,
			facts: facts("s1", "a b@acme.example", true), want: "bad_profile", after: wantEmpty},
		{name: "no jit, no member", facts: facts("s1", "ada@acme.example", true), want: "no_account", after: wantEmpty},
		{name: "jit names a member from the email without a name", conn: jit,
			facts: Facts{Issuer: iss, Subject: "s1", Email: "ada@acme.example", EmailVerified: true}, want: "ada@acme.example",
			after: func(t *testing.T, w *world, s state) {
				if n := s.members["ada@acme.example"].Name; n != "ada" {
					t.Fatalf("name %q", n)
				}
			}},

		// Entra ID multi-tenant: each tenant asserts only its own domains.
		{name: "entra tenant links its own domain", entra: true,
			before: func(w *world) { w.member("ann@a.example", nil) },
			facts:  inTenant("tid-a", facts("s1", "ann@a.example", true)), want: "ann@a.example",
			after: func(t *testing.T, w *world, s state) { wantLinks(t, s, "entra/s1", "ann@a.example") }},
		{name: "entra tenant cannot link another tenant's member", entra: true, conn: trustEmail,
			before: func(w *world) { w.member("ceo@b.example", nil) },
			facts:  inTenant("tid-a", facts("attacker", "ceo@b.example", true)), want: "tenant_not_bound",
			after: func(t *testing.T, w *world, s state) { wantUntouched(t, s, "ceo@b.example") }},
		{name: "entra tenant cannot create in another tenant's domain", entra: true,
			conn:  func(c *model.Connection) { jit(c); trustEmail(c) },
			facts: inTenant("tid-a", facts("s1", "new@b.example", true)), want: "tenant_not_bound", after: wantEmpty},
		{name: "entra tenant off the list", entra: true, conn: trustEmail,
			before: func(w *world) { w.member("ann@a.example", nil) },
			facts:  inTenant("tid-x", facts("s1", "ann@a.example", true)), want: "tenant_not_bound"},
		{name: "entra assertion naming no tenant", entra: true, conn: trustEmail,
			before: func(w *world) { w.member("ann@a.example", nil) },
			facts:  facts("s1", "ann@a.example", true), want: "tenant_not_bound"},
		{name: "entra tenant bound to no domain (migrated)", entra: true, conn: func(c *model.Connection) {
			if c.IssuerMode == model.IssuerEntraMultiTenant {
				c.EntraTenants = []model.EntraTenant{{ID: "tid-a"}, {ID: "tid-b"}}
			}
			jit(c)
		}, facts: inTenant("tid-a", facts("s1", "ann@a.example", true)), want: "tenant_not_bound", after: wantEmpty},

		// Later sign-ins: the link decides, the profile and groups refresh.
		{name: "a linked identity signs in whatever its email says now",
			before: func(w *world) { w.link(w.acme, "s1", w.member("ada@acme.example", nil)) },
			facts:  facts("s1", "", false), want: "ada@acme.example"},
		{name: "refresh updates names and groups",
			before: func(w *world) {
				m := w.member("ada@acme.example", func(m *model.Member) { m.EmailVerified = true })
				w.link(w.acme, "s1", m)
			},
			facts: facts("s1", "ada@acme.example", false), want: "ada@acme.example",
			after: func(t *testing.T, w *world, s state) {
				m := s.members["ada@acme.example"]
				if m.Name != "Ada Lovelace" || m.GivenName != "Ada" || m.FamilyName != "Lovelace" || !m.EmailVerified {
					t.Fatalf("refreshed %+v", m) // an unvouched sign-in never unverifies
				}
				if g := s.groups(t, w.st, "ada@acme.example"); !slices.Equal(g, []string{"Staff"}) {
					t.Fatalf("groups %v", g)
				}
			}},
		{name: "refresh removes a mapped group no longer held",
			before: func(w *world) {
				m := w.member("ada@acme.example", nil)
				w.link(w.acme, "s1", m)
				must(w.t, w.st.Groups().AddMember(w.t.Context(), tenant, w.staff.ID, m.ID))
			},
			facts: Facts{Issuer: iss, Subject: "s1", Groups: []string{"Sales"}}, want: "ada@acme.example",
			after: func(t *testing.T, w *world, s state) {
				if g := s.groups(t, w.st, "ada@acme.example"); len(g) != 0 {
					t.Fatalf("groups %v", g)
				}
			}},
		{name: "refresh ignores a deleted mapped group",
			before: func(w *world) {
				w.link(w.acme, "s1", w.member("ada@acme.example", nil))
				must(w.t, w.st.Groups().Delete(w.t.Context(), tenant, w.staff.ID))
			},
			facts: facts("s1", "ada@acme.example", true), want: "ada@acme.example"},
		{name: "refresh follows a vouched new address",
			before: func(w *world) { w.link(w.acme, "s1", w.member("ada@acme.example", nil)) },
			facts:  facts("s1", "ada.lovelace@acme.example", true), want: "ada.lovelace@acme.example",
			after: func(t *testing.T, w *world, s state) {
				if m := s.members["ada.lovelace@acme.example"]; !m.EmailVerified || len(s.members) != 1 {
					t.Fatalf("members %+v", s.members)
				}
			}},
		{name: "refresh does not follow an unvouched new address",
			before: func(w *world) { w.link(w.acme, "s1", w.member("ada@acme.example", nil)) },
			facts:  facts("s1", "ada.lovelace@acme.example", false), want: "ada@acme.example",
			after: func(t *testing.T, w *world, s state) {
				if m := s.members["ada@acme.example"]; m.Name != "Ada Lovelace" || len(s.members) != 1 {
					t.Fatalf("members %+v", s.members) // the names still refresh
				}
			}},
		{name: "refresh does not follow an address of another domain", conn: trustEmail,
			before: func(w *world) { w.link(w.acme, "s1", w.member("ada@acme.example", nil)) },
			facts:  facts("s1", "ada@other.example", true), want: "ada@acme.example"},
		{name: "refresh never takes another member's address", conn: trustEmail,
			before: func(w *world) {
				w.link(w.acme, "s1", w.member("ada@acme.example", nil))
				w.link(w.acme, "s2", w.member("ceo@acme.example", nil))
			},
			facts: facts("s1", "ceo@acme.example", true), want: "ada@acme.example",
			after: func(t *testing.T, w *world, s state) {
				wantLinks(t, s, "acme/s1", "ada@acme.example", "acme/s2", "ceo@acme.example")
				if ceo := s.members["ceo@acme.example"]; ceo.Name != "Old Name" || ceo.ID != "m-ceo" {
					t.Fatalf("the other member changed: %+v", ceo)
				}
				if m := s.members["ada@acme.example"]; m.Name != "Ada Lovelace" || m.EmailVerified {
					t.Fatalf("signed-in member %+v", m) // names refresh; the address it kept was not vouched for
				}
			}},
		{name: "refresh through entra keeps to the tenant's domains", entra: true, conn: trustEmail,
			before: func(w *world) { w.link(w.entra, "s1", w.member("ann@a.example", nil)) },
			facts:  inTenant("tid-a", facts("s1", "ann@b.example", true)), want: "ann@a.example"},
		{name: "refresh marks a now-verified address verified",
			before: func(w *world) { w.link(w.acme, "s1", w.member("ada@acme.example", nil)) },
			facts:  facts("s1", "Ada@Acme.example", true), want: "ada@acme.example",
			after: func(t *testing.T, w *world, s state) {
				if !s.members["ada@acme.example"].EmailVerified {
					t.Fatal("not verified")
				}
			}},
		{name: "a linked disabled member is refused",
			before: func(w *world) {
				w.link(w.acme, "s1", w.member("ada@acme.example", func(m *model.Member) { m.Disabled = true }))
			},
			facts: facts("s1", "ada@acme.example", true), want: "disabled",
			after: func(t *testing.T, w *world, s state) {
				if m := s.members["ada@acme.example"]; m.Name != "Old Name" || m.EmailVerified {
					t.Fatalf("a refused sign-in refreshed %+v", m)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, tc.conn)
			if tc.before != nil {
				tc.before(w)
			}
			c := w.acme
			if tc.entra {
				c = w.entra
			}
			got := outcome(w.svc.SignIn(t.Context(), tenant, c, tc.facts))
			if got != tc.want {
				t.Fatalf("SignIn = %s, want %s", got, tc.want)
			}
			if tc.after != nil {
				tc.after(t, w, w.state())
			}
		})
	}
}

// outcome is the member's email, or the refusal's reason, or the error.
func outcome(m model.Member, err error) string {
	if r, ok := errors.AsType[*Refusal](err); ok {
		return string(r.Reason)
	}
	if err != nil {
		return "error: " + err.Error()
	}
	return m.Email
}

func wantLinks(t *testing.T, s state, pairs ...string) {
	t.Helper()
	want := map[string]string{}
	for i := 0; i < len(pairs); i += 2 {
		want[pairs[i]] = pairs[i+1]
	}
	if !maps.Equal(s.links, want) {
		t.Fatalf("links %v, want %v", s.links, want)
	}
}

// wantUntouched: the member is as the case made it, and nothing is linked.
func wantUntouched(t *testing.T, s state, email string) {
	t.Helper()
	m, ok := s.members[email]
	if !ok || m.Name != "Old Name" || m.EmailVerified || len(s.members) != 1 {
		t.Fatalf("members %+v", s.members)
	}
	wantLinks(t, s)
}

func wantEmpty(t *testing.T, _ *world, s state) {
	t.Helper()
	if len(s.members) != 0 || len(s.links) != 0 {
		t.Fatalf("a refused sign-in left members %+v, links %v", s.members, s.links)
	}
}

// TestSignInRace: two first sign-ins of one person at once make one
// member and one link; the loser finds the winner's.
func TestSignInRace(t *testing.T) {
	w := newWorld(t, jit)
	var wg sync.WaitGroup
	got := make([]string, 2)
	for i := range got {
		wg.Go(func() {
			got[i] = outcome(w.svc.SignIn(context.Background(), tenant, w.acme, facts("s1", "ada@acme.example", true)))
		})
	}
	wg.Wait()
	if got[0] != "ada@acme.example" || got[1] != "ada@acme.example" {
		t.Fatalf("outcomes %v", got)
	}
	s := w.state()
	if len(s.members) != 1 {
		t.Fatalf("members %+v", s.members)
	}
	wantLinks(t, s, "acme/s1", "ada@acme.example")
}

// TestLinkAudited: a link is recorded as the connection's.
func TestLinkAudited(t *testing.T) {
	w := newWorld(t, nil)
	m := w.member("ann@a.example", nil)
	if _, err := w.svc.SignIn(t.Context(), tenant, w.entra, inTenant("tid-a", facts("s1", "ann@a.example", true))); err != nil {
		t.Fatal(err)
	}
	p, err := w.st.Audit().List(t.Context(), tenant, store.AuditQuery{Action: "member.identity.link"})
	must(t, err)
	if len(p.Items) != 1 || p.Items[0].Actor != "connection:entra" || p.Items[0].Target != "member:"+m.ID ||
		p.Items[0].Detail["entra_tenant"] != "tid-a" || p.Items[0].Detail["issuer"] != iss {
		t.Fatalf("audit %+v", p.Items)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestProvision: a directory's push follows SignIn's rules, except that it
// creates members whatever the connection's JIT setting and changes no
// profile or group of a member it links.
func TestProvision(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before func(w *world)
		facts  Facts
		want   string // the member's email, or the Refusal's reason
	}{
		{name: "creates without jit", facts: facts("s1", "ada@acme.example", true), want: "ada@acme.example"},
		{name: "links an existing member, profile untouched", before: func(w *world) { w.member("ada@acme.example", nil) },
			facts: facts("s1", "ada@acme.example", true), want: "ada@acme.example"},
		{name: "another domain", facts: facts("s1", "ceo@other.example", true), want: "domain_not_served"},
		{name: "a disabled member is not taken over", before: func(w *world) {
			w.member("ada@acme.example", func(m *model.Member) { m.Disabled = true })
		}, facts: facts("s1", "ada@acme.example", true), want: "disabled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, nil)
			if tc.before != nil {
				tc.before(w)
			}
			before := w.state()
			m, err := w.svc.Provision(t.Context(), tenant, w.acme, tc.facts)
			if r, ok := errors.AsType[*Refusal](err); ok {
				if string(r.Reason) != tc.want {
					t.Fatalf("refused %s, want %s", r.Reason, tc.want)
				}
				if after := w.state(); !maps.EqualFunc(after.members, before.members, func(a, b model.Member) bool { return a == b }) ||
					!maps.Equal(after.links, before.links) {
					t.Fatal("a refusal changed the directory")
				}
				return
			}
			if err != nil || m.Email != tc.want {
				t.Fatalf("got %+v, %v; want %s", m, err, tc.want)
			}
			s := w.state()
			wantLinks(t, s, "acme/s1", tc.want)
			if old, existed := before.members[tc.want]; existed && s.members[tc.want].Name != old.Name {
				t.Fatalf("Provision changed the profile: %+v", s.members[tc.want])
			}
			if g := s.groups(t, w.st, tc.want); len(g) != 0 {
				t.Fatalf("Provision changed groups: %v", g)
			}
		})
	}
}

// TestUnlink: an unlink removes only that identity and is recorded as the
// connection's; the member stays.
func TestUnlink(t *testing.T) {
	w := newWorld(t, nil)
	ada := w.member("ada@acme.example", nil)
	w.link(w.acme, "s1", ada)
	w.link(w.acme, "s2", ada)
	id, err := w.st.Identities().Get(t.Context(), tenant, w.acme.ID, iss, "s1")
	must(t, err)
	must(t, w.svc.Unlink(t.Context(), tenant, w.acme, id))
	s := w.state()
	wantLinks(t, s, "acme/s2", "ada@acme.example")
	if _, ok := s.members["ada@acme.example"]; !ok {
		t.Fatal("the member went with the link")
	}
	p, err := w.st.Audit().List(t.Context(), tenant, store.AuditQuery{Action: "member.identity.unlink"})
	must(t, err)
	if len(p.Items) != 1 || p.Items[0].Actor != "connection:acme" || p.Items[0].Target != "member:"+ada.ID ||
		p.Items[0].Detail["issuer"] != iss || p.Items[0].Detail["connection"] != "acme" {
		t.Fatalf("audit %+v", p.Items)
	}
}
