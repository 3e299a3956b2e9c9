package scimtokens

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

var clock = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// newService is the service over a store with two sites: t1 with the
// connections acme and entra (multi-tenant), t2 with elsewhere.
func newService(t *testing.T, st store.Store) *Service {
	t.Helper()
	ctx := t.Context()
	for _, id := range []string{"t1", "t2"} {
		must(t, st.Tenants().Create(ctx, model.Tenant{ID: id, Slug: id, Name: id, Issuer: "https://" + id + ".example",
			CreatedAt: clock, UpdatedAt: clock}))
	}
	for _, c := range []model.Connection{
		{ID: "acme", TenantID: "t1", ConnectionSettings: model.ConnectionSettings{IssuerMode: model.IssuerExact}},
		{ID: "entra", TenantID: "t1", ConnectionSettings: model.ConnectionSettings{IssuerMode: model.IssuerEntraMultiTenant}},
		{ID: "elsewhere", TenantID: "t2", ConnectionSettings: model.ConnectionSettings{IssuerMode: model.IssuerExact}},
	} {
		c.Name, c.Domains, c.JITStatus, c.CreatedAt, c.UpdatedAt = c.ID, []string{c.ID + ".example"}, model.StatusCurrent, clock, clock
		must(t, st.Connections().Create(ctx, c))
	}
	return &Service{Connections: st.Connections(), SCIM: st.SCIM(), Audit: st.Audit(), Now: func() time.Time { return clock }}
}

func TestIssue(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			st := b.New(t)
			s := newService(t, st)
			for _, tc := range []struct {
				name, tenant, conn string
				check              func(error) bool
			}{
				{"the connection", "t1", " acme ", func(err error) bool { return err == nil }},
				{"unknown connection", "t1", "nope", isA[*problem.NotFound]},
				{"another site's connection", "t1", "elsewhere", isA[*problem.NotFound]},
				{"multi-tenant Entra ID", "t1", "entra", isA[*problem.Invalid]},
			} {
				token, err := s.Issue(t.Context(), "cli", tc.tenant, tc.conn)
				if !tc.check(err) {
					t.Fatalf("%s: Issue = %q, %v", tc.name, token, err)
				}
				if err != nil && token != "" {
					t.Fatalf("%s: a refusal returned the token %q", tc.name, token)
				}
			}
			p, err := st.Audit().List(t.Context(), "t1", store.AuditQuery{Action: "connection.scim_token.issue", Limit: 10})
			must(t, err)
			if len(p.Items) != 1 || p.Items[0].Actor != "cli" || p.Items[0].Target != "connection:acme" {
				t.Fatalf("audit = %+v, want one issue of acme by cli", p.Items)
			}
		})
	}
}

func TestAuthenticate(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			s := newService(t, b.New(t))
			ctx := t.Context()
			issue := func(tenant, conn string) string {
				token, err := s.Issue(ctx, "cli", tenant, conn)
				must(t, err)
				return token
			}
			replaced := issue("t1", "acme")
			current := issue("t1", "acme")
			elsewhere := issue("t2", "elsewhere")
			if !strings.HasPrefix(current, Prefix+"acme.") || len(current) != len(Prefix+"acme.")+43 {
				t.Fatalf("token %q is not %sID.<43 base64url characters>", current, Prefix)
			}
			// The last character changed to another one, never to itself.
			flipped := current[:len(current)-1] + map[bool]string{true: "B", false: "A"}[strings.HasSuffix(current, "A")]
			for _, tc := range []struct {
				name, tenant, token string
				want                string // the connection, or "" for ErrInvalid
			}{
				{"current token", "t1", current, "acme"},
				{"the other site's token at its site", "t2", elsewhere, "elsewhere"},
				{"empty", "t1", "", ""},
				{"no prefix", "t1", strings.TrimPrefix(current, Prefix), ""},
				{"api key shape", "t1", "gga_" + strings.Repeat("A", 43), ""},
				{"no connection id", "t1", Prefix + "." + strings.Repeat("A", 43), ""},
				{"no dot", "t1", Prefix + "acme" + strings.Repeat("A", 43), ""},
				{"short secret", "t1", current[:len(current)-1], ""},
				{"trailing junk", "t1", current + "x", ""},
				{"long connection id", "t1", Prefix + strings.Repeat("a", 101) + "." + strings.Repeat("A", 43), ""},
				{"wrong secret", "t1", flipped, ""},
				{"replaced token", "t1", replaced, ""},
				{"unknown connection", "t1", Prefix + "nope." + strings.Repeat("A", 43), ""},
				{"connection without a token", "t1", Prefix + "entra." + strings.Repeat("A", 43), ""},
				{"another site's token", "t1", elsewhere, ""},
				{"this site's token at another site", "t2", current, ""},
			} {
				c, err := s.Authenticate(ctx, tc.tenant, tc.token)
				switch {
				case tc.want == "" && !errors.Is(err, ErrInvalid):
					t.Errorf("%s: Authenticate = %+v, %v; want ErrInvalid", tc.name, c, err)
				case tc.want != "" && (err != nil || c.ID != tc.want || c.TenantID != tc.tenant):
					t.Errorf("%s: Authenticate = %+v, %v; want %s", tc.name, c, err, tc.want)
				}
			}
		})
	}
}

func isA[T error](err error) bool {
	_, ok := errors.AsType[T](err)
	return ok
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
