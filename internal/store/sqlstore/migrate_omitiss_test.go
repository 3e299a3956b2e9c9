package sqlstore_test

import (
	"testing"

	"github.com/guildgate/guildgate/internal/store/storetest"
)

// TestClientOmitIssDefault: a client row written without the RFC 9207
// switch, as every row before its migration was, reads back with the switch
// off, so no existing client loses iss when the column arrives.
func TestClientOmitIssDefault(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := t.Context()
			s := b.New(t)
			createV1Tenant(t, s)
			_, err := s.DB().ExecContext(ctx, `INSERT INTO clients (tenant_id, id, name, redirect_uris,
				post_logout_redirect_uris, permitted_groups, id_token_alg, backchannel_logout_uri,
				grant_types, public, groups_claim, secrets, updated_at, created_at)
				VALUES ('t1', 'c1', 'Old', '[]', '[]', '[]', 'RS256', '', '[]', FALSE, FALSE, '[]', 0, 0)`)
			must(t, err)
			c, err := s.Clients().Get(ctx, "t1", "c1")
			must(t, err)
			if c.OmitAuthorizationResponseIss {
				t.Fatal("a client stored without the switch reads back with iss omitted")
			}
		})
	}
}
