package connections

import (
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/model"
)

// TestInputRefusesWhatWasQuietlyRepaired: an empty list entry (a stray
// comma on the CLI, "" in the API) and a control character around a value
// are refused, never dropped or trimmed away, so both surfaces answer alike.
func TestInputRefusesWhatWasQuietlyRepaired(t *testing.T) {
	ok := Input{ConnectionSettings: model.ConnectionSettings{Name: "Okta", Domains: []string{"acme.example"},
		DiscoveryURL: "https://acme.okta.example", ClientID: "abc"}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid input refused: %v", err)
	}
	for _, tt := range []struct {
		name string
		edit func(*Input)
		want string
	}{
		{"stray comma in domains", func(in *Input) { in.Domains = []string{"acme.example", ""} }, "domains: must not hold an empty entry"},
		{"blank domain", func(in *Input) { in.Domains = []string{" "} }, "domains: must not hold an empty entry"},
		{"empty scope", func(in *Input) { in.Scopes = []string{"openid", "", "email"} }, "scopes: must not hold an empty entry"},
		{"empty fallback claim", func(in *Input) { in.EmailFallbackClaims = []string{"upn", ""} }, "email_fallback_claims: must not hold an empty entry"},
		{"empty tenant id", func(in *Input) { in.EntraTenants = ParseEntraTenants("t1,") }, "entra_tenants: must not hold an empty entry"},
		{"empty tenant domain", func(in *Input) { in.EntraTenants = ParseEntraTenants("t1=acme.example|") }, "entra_tenants: must not hold an empty entry"},
		{"empty entra tenant, multi-tenant mode", func(in *Input) {
			in.IssuerMode, in.EntraTenants = "entra-multitenant", ParseEntraTenants("t1=acme.example,")
		}, "entra_tenants: must not hold an empty entry"},
		{"name with a trailing newline", func(in *Input) { in.Name = "Okta\n" }, "name: must not contain control characters"},
		{"client id with a trailing newline", func(in *Input) { in.ClientID = "abc\n" }, "client_id: must not contain control characters"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := ok
			tt.edit(&in)
			err := in.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), ";") {
				t.Errorf("one mistake, several problems: %v", err)
			}
		})
	}
}
