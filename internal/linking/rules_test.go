package linking

import (
	"testing"

	"github.com/guildgate/guildgate/internal/model"
)

// TestVouch: the one rule that lets an outside source speak for an address.
func TestVouch(t *testing.T) {
	exact := model.Connection{ConnectionSettings: model.ConnectionSettings{IssuerMode: model.IssuerExact,
		Domains: []string{"acme.example", "acme.org"}}}
	trusting := exact
	trusting.TrustEmail = true
	entra := model.Connection{ConnectionSettings: model.ConnectionSettings{IssuerMode: model.IssuerEntraMultiTenant,
		Domains:      []string{"a.example", "b.example"},
		EntraTenants: []model.EntraTenant{{ID: "tid-a", Domains: []string{"a.example"}}, {ID: "tid-b", Domains: []string{"b.example"}}}}}
	trustingEntra := entra
	trustingEntra.TrustEmail = true
	for _, tc := range []struct {
		name string
		c    model.Connection
		f    Facts
		want Reason
	}{
		{"verified, served", exact, Facts{Email: "ada@acme.example", EmailVerified: true}, ""},
		{"verified, second domain, any case", exact, Facts{Email: "Ada@ACME.org", EmailVerified: true}, ""},
		{"trusted, unverified", trusting, Facts{Email: "ada@acme.example"}, ""},
		{"unverified, untrusted", exact, Facts{Email: "ada@acme.example"}, EmailNotVouched},
		{"verified, other domain", exact, Facts{Email: "ada@evil.example", EmailVerified: true}, DomainNotServed},
		{"trusted, other domain", trusting, Facts{Email: "ada@evil.example"}, DomainNotServed},
		{"trusted, subdomain", trusting, Facts{Email: "ada@eu.acme.example"}, DomainNotServed},
		{"trusted, domain as suffix", trusting, Facts{Email: "ada@notacme.example"}, DomainNotServed},
		{"no email", trusting, Facts{}, NoEmail},
		{"no @", trusting, Facts{Email: "acme.example"}, BadProfile},
		{"no local part", trusting, Facts{Email: "@acme.example"}, BadProfile},
		{"no domain", trusting, Facts{Email: "ada@"}, BadProfile},
		{"exact mode ignores tenant", trusting, Facts{Email: "ada@acme.example", Tenant: "anything"}, ""},
		{"entra, own domain, verified", entra, Facts{Email: "ann@a.example", EmailVerified: true, Tenant: "tid-a"}, ""},
		{"entra, own domain, trusted", trustingEntra, Facts{Email: "ann@a.example", Tenant: "tid-a"}, ""},
		{"entra, own domain, unvouched", entra, Facts{Email: "ann@a.example", Tenant: "tid-a"}, EmailNotVouched},
		{"entra, other tenant's domain", trustingEntra, Facts{Email: "ceo@b.example", EmailVerified: true, Tenant: "tid-a"}, TenantNotBound},
		{"entra, unlisted tenant", trustingEntra, Facts{Email: "ann@a.example", Tenant: "tid-x"}, TenantNotBound},
		{"entra, no tenant", trustingEntra, Facts{Email: "ann@a.example"}, TenantNotBound},
		{"entra, unserved domain", trustingEntra, Facts{Email: "x@c.example", Tenant: "tid-a"}, DomainNotServed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Vouch(tc.c, tc.f); got != tc.want {
				t.Fatalf("Vouch = %q, want %q", got, tc.want)
			}
		})
	}
}
