package views

import (
	"bytes"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/clients"
	goldenfile "github.com/guildgate/guildgate/internal/golden"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/onetime"
	"github.com/guildgate/guildgate/internal/samlapps"
)

// golden compares v with testdata/<name>.golden.json, and checks that
// nothing secret shows.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got := goldenfile.JSON(t, name, v)
	for _, secret := range []string{"argon2", "sealed-upstream-secret"} {
		if bytes.Contains(got, []byte(secret)) {
			t.Errorf("%s JSON shows %q:\n%s", name, secret, got)
		}
	}
}

var at = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// TestGolden pins every view the CLI's --json and the admin API print:
// field names, which fields are always present, [] rather than null, and
// that nothing secret appears.
func TestGolden(t *testing.T) {
	member := model.Member{ID: "m1", TenantID: "t1", Email: "ada@example.org", EmailVerified: true, Name: "Ada Lovelace",
		GivenName: "Ada", FamilyName: "Lovelace", LegacyID: "L-7", Status: model.StatusCurrent, Admin: true, Language: "fr",
		PasswordHash: "$argon2id$secret", CreatedAt: at, UpdatedAt: at.Add(time.Hour)}
	groups := []model.Group{{ID: "g1", Name: "Board"}, {ID: "g2", Name: "Staff"}}
	conn := model.Connection{ID: "u1", ConnectionSettings: model.ConnectionSettings{Name: "Acme Okta",
		DiscoveryURL: "https://acme.okta.example/.well-known/openid-configuration", Issuer: "https://acme.okta.example",
		ClientID: "guildgate", Scopes: []string{"openid", "email"}, Domains: []string{"acme.example"},
		Claims: model.ClaimMapping{Email: "email", Name: "name", Groups: "groups"}, JIT: true,
		JITStatus: model.StatusCurrent, AuthMethod: "client_secret_basic", ShowButton: true},
		ClientSecret: "sealed-upstream-secret", GroupMap: []model.GroupMapping{{Upstream: "eng", GroupID: "g2"}},
		CreatedAt: at, UpdatedAt: at}
	tests := []struct {
		name string
		v    any
	}{
		{"member", []Member{MemberWithGroups(member, groups), MemberWithGroups(model.Member{ID: "m2", Email: "bob@example.org",
			Disabled: true, CreatedAt: at, UpdatedAt: at}, nil), MemberOf(member)}},
		{"group", GroupOf(model.Group{ID: "g1", Name: "Board", Description: "Trustees", CreatedAt: at, UpdatedAt: at})},
		{"client", []Client{
			ClientOf(clients.View{Client: model.Client{ID: "c1", Name: "Portal", RedirectURIs: []string{"https://portal.example/cb"},
				PermittedGroups: []string{"g1"}, IDTokenAlg: "RS256", GrantTypes: []string{"authorization_code", "refresh_token"},
				GroupsClaim: true, CreatedAt: at, UpdatedAt: at},
				Secret: "s3cret", PermittedGroupNames: []string{"Board"}, SecretRotatingUntil: at.Add(24 * time.Hour)}),
			ClientOf(clients.View{Client: model.Client{ID: "c2", Name: "SPA", Public: true, AllMembers: true, CreatedAt: at, UpdatedAt: at}}),
		}},
		{"connection", ConnectionOf(conn, "https://sso.example/auth/sso/callback", map[string]string{"g2": "Staff"})},
		{"key", Keys([]model.SigningKey{
			{ID: "k-next", Purpose: model.KeyForTokens, Alg: "RS256", State: model.KeyNext, CreatedAt: at},
			{ID: "k-old", Purpose: model.KeyForTokens, Alg: "RS256", State: model.KeyRetired, CreatedAt: at.Add(-time.Hour),
				ActivatedAt: at.Add(-time.Hour), RetiredAt: at, RemoveAfter: at.Add(48 * time.Hour)},
			{ID: "k-now", Purpose: model.KeyForTokens, Alg: "RS256", State: model.KeyCurrent, CreatedAt: at, ActivatedAt: at},
		})},
		{"apikey", []APIKey{APIKeyOf(model.APIKey{ID: "k1", Name: "sync", Prefix: "gga_abcd", CreatedBy: "cli",
			CreatedAt: at, RevokedAt: at.Add(time.Hour)})}},
		{"tenant", TenantOf(model.Tenant{ID: "t1", Slug: "default", Name: "Chess Club", Issuer: "https://sso.example",
			Hosts: []string{"sso.example"}, CreatedAt: at, UpdatedAt: at})},
		{"branding", []Branding{
			BrandingOf(model.Tenant{ID: "t1", Name: "Guild of Bakers", Issuer: "https://sso.bakers.example", PrimaryColor: "#1f5fbf",
				SupportURL: "https://bakers.example/help", PrivacyURL: "https://bakers.example/privacy",
				SignInMessage: "Members: sign in with your guild email.", LogoType: "image/png",
				LogoHash: "5d41402abc4b2a76b9719d911017c592d41402abc4b2a76b9719d911017c592a", CreatedAt: at, UpdatedAt: at}),
			BrandingOf(model.Tenant{ID: "t2", Name: "Chess Club", Issuer: "https://sso.example", CreatedAt: at, UpdatedAt: at}),
		}},
		{"webhook_delivery", []WebhookDelivery{
			WebhookDeliveryOf(model.OutboxItem{ID: 42, TenantID: "t1", Kind: "webhook", Stream: "w1:m1", Payload: "sealed",
				Status: model.OutboxPending, Attempts: 2, CreatedAt: at, NextAttemptAt: at.Add(5 * time.Minute),
				LastError: "the endpoint answered 503", LastAttemptAt: at.Add(5 * time.Second), LastCode: 503},
				model.EventMemberDisabled, "msg_t1.42"),
			WebhookDeliveryOf(model.OutboxItem{ID: 41, TenantID: "t1", Kind: "webhook", Stream: "w1:m2", Status: model.OutboxSent,
				Attempts: 1, CreatedAt: at, NextAttemptAt: at, LastAttemptAt: at, DoneAt: at, LastCode: 204},
				model.EventMemberCreated, "msg_t1.41"),
			WebhookDeliveryOf(model.OutboxItem{ID: 40, TenantID: "t1", Kind: "webhook", Stream: "w1:m2", Status: model.OutboxFailed,
				Attempts: 9, CreatedAt: at.Add(-72 * time.Hour), NextAttemptAt: at, LastAttemptAt: at, DoneAt: at,
				LastError: "post to the endpoint: context deadline exceeded"}, model.EventGroupMemberAdded, "msg_t1.40"),
		}},
		{"samlapp", []SAMLApp{
			SAMLAppOf(samlapps.View{SAMLApp: model.SAMLApp{ID: "a1", Name: "LMS", EntityID: "https://lms.example/sp",
				ACSURLs: []string{"https://lms.example/acs"}, SLOURL: "https://lms.example/slo",
				SigningCert: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", NameIDFormat: model.NameIDPersistent,
				PermittedGroups: []string{"g1"}, RelayState: "/courses", MetadataURL: "https://lms.example/metadata",
				CreatedAt: at, UpdatedAt: at.Add(time.Hour)}, PermittedGroupNames: []string{"Staff"}}),
			SAMLAppOf(samlapps.View{SAMLApp: model.SAMLApp{ID: "a2", Name: "Events", EntityID: "urn:events",
				NameIDFormat: model.NameIDEmail, AllMembers: true, CreatedAt: at, UpdatedAt: at}}),
			SAMLAppOf(samlapps.View{SAMLApp: model.SAMLApp{ID: "a3", Name: "Closed", EntityID: "urn:closed",
				NameIDFormat: model.NameIDEmail, PermittedGroups: []string{"g9"}, CreatedAt: at, UpdatedAt: at},
				PermittedGroupNames: []string{"(deleted group g9)"}, AdmitsNobody: true}),
		}},
		{"setup_link", SetupLink{URL: "https://sso.example/auth/sso/setup/TOKEN", ExpiresAt: at}},
		{"links", []any{
			ResetLink{MemberID: "m1", URL: "https://sso.example/account/reset/TOKEN", ExpiresAt: at},
			InvitationOf(onetime.Invitation{Member: member, ExpiresAt: at, Mailed: true}),
			InvitationOf(onetime.Invitation{Member: member, ExpiresAt: at, URL: "https://sso.example/account/invite/TOKEN"}),
			PendingInvitationOf(onetime.Pending{Member: member, SentAt: at.Add(-time.Hour), ExpiresAt: at}),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { golden(t, tc.name, tc.v) })
	}
}
