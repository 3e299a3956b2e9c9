package oidc_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/clients"
	"github.com/guildgate/guildgate/internal/oauth"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

// TestUserinfoSeesTheStoreAtOnce: userinfo decides from the database as it
// is at the call, on SQLite and PostgreSQL. Each change is written straight
// into the store, as another replica sharing the database would write it,
// so this process hears of it through nothing but its next read: a revoked
// jti, a member taken out of the client's permitted group, a revoked grant
// and a group added to the member (the groups claim) all show on the very
// next call.
func TestUserinfoSeesTheStoreAtOnce(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			dsn := ""
			if backend == "postgres" {
				dsn = storetest.PostgresDSN(t)
			}
			h := newHarnessOn(t, dsn)
			ctx := context.Background()
			board, chess := mustGroup(t, h, "Board"), mustGroup(t, h, "Chess")
			c := h.addClient(clients.Input{PermittedGroups: []string{"Board"}})
			m := h.addMember("ada@example.org")
			if err := h.Store.Groups().AddMember(ctx, h.Tenant.ID, board, m.ID); err != nil {
				t.Fatal(err)
			}
			token := func() (string, string) {
				code, g := h.newCode(c, m, codeSpec{Scopes: []string{"openid", "groups"}})
				return wantOK(t, h.exchange(c, code, nil)).str("access_token"), g.ID
			}
			groupsOf := func(at string) []any {
				r := h.userinfo(at)
				if r.Status != http.StatusOK {
					t.Fatalf("userinfo: %d %s", r.Status, r.Body)
				}
				gs, _ := r.JSON["groups"].([]any)
				return gs
			}

			revokedJTI, _ := token()
			if got := groupsOf(revokedJTI); !slices.Equal(got, []any{"Board"}) {
				t.Fatalf("groups %v, want [Board]", got)
			}
			jti, err := oauth.UnverifiedClaim(revokedJTI, "jti")
			if err != nil {
				t.Fatal(err)
			}
			if err := h.Store.Revocations().Revoke(ctx, h.Tenant.ID, jti, time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			wantError(t, h.userinfo(revokedJTI), 401, "invalid_token")

			revokedGrant, grantID := token()
			groupsOf(revokedGrant)
			if err := h.Store.Grants().Revoke(ctx, h.Tenant.ID, grantID, time.Now()); err != nil {
				t.Fatal(err)
			}
			wantError(t, h.userinfo(revokedGrant), 401, "invalid_token")

			at, _ := token()
			if err := h.Store.Groups().AddMember(ctx, h.Tenant.ID, chess, m.ID); err != nil {
				t.Fatal(err)
			}
			if got := groupsOf(at); !slices.Equal(got, []any{"Board", "Chess"}) {
				t.Fatalf("groups %v, want [Board Chess]", got)
			}
			if err := h.Store.Groups().RemoveMember(ctx, h.Tenant.ID, board, m.ID); err != nil {
				t.Fatal(err)
			}
			wantError(t, h.userinfo(at), 401, "invalid_token")
		})
	}
}
