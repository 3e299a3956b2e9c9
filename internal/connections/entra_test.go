package connections_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/connections"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
)

func TestParseEntraTenants(t *testing.T) {
	for in, want := range map[string][]model.EntraTenant{
		"":            {},
		"tid-a":       {{ID: "tid-a"}},
		"tid-a,tid-b": {{ID: "tid-a"}, {ID: "tid-b"}},
		" tid-a = a.example|A.org , tid-b=b.example ": {{ID: " tid-a ", Domains: []string{" a.example", "A.org "}},
			{ID: " tid-b", Domains: []string{"b.example "}}},
		"tid-a=a.example\r\n\ntid-b=b.example\n": {{ID: "tid-a", Domains: []string{"a.example"}}, {ID: "tid-b", Domains: []string{"b.example"}}},
		"=a.example,,":                           {{ID: "", Domains: []string{"a.example"}}, {}, {}},
		"tid-a=":                                 {{ID: "tid-a", Domains: []string{""}}},
		"tid-a=a.example|":                       {{ID: "tid-a", Domains: []string{"a.example", ""}}},
	} {
		if got := connections.ParseEntraTenants(in); !reflect.DeepEqual(got, want) {
			t.Errorf("ParseEntraTenants(%q) = %+v, want %+v", in, got, want)
		}
	}
	ts := []model.EntraTenant{{ID: "tid-a", Domains: []string{"a.example", "a.org"}}, {ID: "tid-b"}}
	if got := connections.FormatEntraTenants(ts, ","); got != "tid-a=a.example|a.org,tid-b" {
		t.Fatalf("FormatEntraTenants = %q", got)
	}
	if got := connections.ParseEntraTenants(connections.FormatEntraTenants(ts, "\n")); !reflect.DeepEqual(got, ts) {
		t.Fatalf("round trip: %+v", got)
	}
}

// TestEntraTenantValidation: in multi-tenant mode every allowed tenant is
// bound to domains of the connection, none shared; a single tenant given
// alone is bound to all of them.
func TestEntraTenantValidation(t *testing.T) {
	base := connections.Input{ConnectionSettings: model.ConnectionSettings{Name: "Entra",
		DiscoveryURL: "https://login.microsoftonline.com/organizations/v2.0", ClientID: "app",
		Domains: []string{"a.example", "b.example"}, IssuerMode: model.IssuerEntraMultiTenant}, ClientSecret: "s"}
	for _, tc := range []struct {
		tenants string
		problem string // "" when valid
	}{
		{"tid-a=a.example,tid-b=b.example", ""},
		{"tid-a=A.example|@b.example.", ""},
		{"tid-a", ""},
		{"", "needs the tenant ids to accept"},
		{"tid-a,tid-b", "bind tenant tid-a to the domains it may assert, e.g. tid-a=a.example"},
		{"tid-a=a.example,tid-b", "bind tenant tid-b"},
		{"tid-a=c.example", `tenant "tid-a": "c.example" is not one of this connection's domains`},
		{"tid-a=a.example,tid-b=a.example|b.example", "a.example is bound to tenants tid-a and tid-b"},
		{"tid-a=a.example,tid-a=b.example", "tenant tid-a is listed twice"},
		{"=a.example", "must not hold an empty entry"},
		{"tid-a=a.example,", "must not hold an empty entry"},
		{"tid-a=", "must not hold an empty entry"},
		{"tid-a=a.example\n", ""},
		{"tid a=a.example", `"tid a" is not an Entra tenant id`},
	} {
		in := base
		in.EntraTenants = connections.ParseEntraTenants(tc.tenants)
		err := in.Validate()
		inv, _ := errors.AsType[*problem.Invalid](err)
		switch {
		case tc.problem == "" && err != nil:
			t.Errorf("%q: %v", tc.tenants, err)
		case tc.problem != "" && (inv == nil || !strings.Contains(err.Error(), tc.problem) || inv.Problems[0].Field != "entra_tenants"):
			t.Errorf("%q: got %v; want a problem with entra_tenants saying %q", tc.tenants, err, tc.problem)
		}
	}
	exact := base
	exact.IssuerMode, exact.EntraTenants = model.IssuerExact, connections.ParseEntraTenants("tid-a,tid-b")
	if err := exact.Validate(); err != nil {
		t.Fatalf("exact mode checks no tenants: %v", err)
	}
}

// TestEntraTenantsStored: what is saved is the binding, normalized; a
// single tenant's implicit binding is written out, so adding a domain
// later does not extend it; and a connection whose several tenants are
// unbound (as migrated) cannot be saved again until they are bound.
func TestEntraTenantsStored(t *testing.T) {
	e := newEnv(t)
	in := connections.Input{ConnectionSettings: model.ConnectionSettings{Name: "Entra",
		DiscoveryURL: "https://login.microsoftonline.com/organizations/v2.0", ClientID: "app",
		Domains: []string{"A.example"}, IssuerMode: model.IssuerEntraMultiTenant,
		EntraTenants: []model.EntraTenant{{ID: " tid-a "}}}, ClientSecret: "s"}
	c, err := e.svc.Create(t.Context(), "cli", "t1", in)
	if err != nil {
		t.Fatal(err)
	}
	want := []model.EntraTenant{{ID: "tid-a", Domains: []string{"a.example"}}}
	if !reflect.DeepEqual(c.EntraTenants, want) {
		t.Fatalf("created with %+v", c.EntraTenants)
	}
	doms := []string{"a.example", "b.example"}
	c, err = e.svc.Update(t.Context(), "cli", "t1", c.ID, connections.Patch{Domains: &doms})
	if err != nil || !reflect.DeepEqual(c.EntraTenants, want) {
		t.Fatalf("after adding a domain: %+v, %v", c.EntraTenants, err)
	}

	_, err = e.st.Connections().Update(t.Context(), "t1", c.ID, func(c model.Connection) (model.Connection, error) {
		c.EntraTenants = []model.EntraTenant{{ID: "tid-a"}, {ID: "tid-b"}} // as 00010 migrates several tenants
		return c, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	name := "Renamed"
	if _, err := e.svc.Update(t.Context(), "cli", "t1", c.ID, connections.Patch{Name: &name}); err == nil ||
		!strings.Contains(err.Error(), "bind tenant tid-a") {
		t.Fatalf("saved with unbound tenants: %v", err)
	}
	bound := connections.ParseEntraTenants("tid-a=a.example,tid-b=b.example")
	c, err = e.svc.Update(t.Context(), "cli", "t1", c.ID, connections.Patch{Name: &name, EntraTenants: &bound})
	if err != nil || len(c.EntraTenants) != 2 || c.EntraTenants[1].Domains[0] != "b.example" {
		t.Fatalf("binding: %+v, %v", c, err)
	}
}
