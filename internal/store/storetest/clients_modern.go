package storetest

import (
	"testing"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// testClientModernOAuth: the PAR and DPoP requirements, the token-endpoint
// authentication method and the key set (by URL or document) are stored,
// read back by Get and List, changed by Update, and default to off/empty.
func testClientModernOAuth(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	plain := mkClient(t, s, tn.ID, nil)
	if plain.RequirePAR || plain.RequireDPoP || plain.TokenAuthMethod != "" || plain.JWKSURI != "" || plain.JWKS != "" {
		t.Fatalf("a plain client has modern settings: %+v", plain)
	}
	got, err := s.Clients().Update(ctx, tn.ID, plain.ID, func(c model.Client) (model.Client, error) {
		c.RequirePAR, c.RequireDPoP, c.TokenAuthMethod = true, true, model.AuthPrivateKeyJWT
		c.JWKS = `{"keys":[]}`
		return c, nil
	})
	ok(t, err)
	again, err := s.Clients().Get(ctx, tn.ID, plain.ID)
	ok(t, err)
	equal(t, again, got)
	if !again.RequirePAR || !again.RequireDPoP || again.TokenAuthMethod != model.AuthPrivateKeyJWT || again.JWKS != `{"keys":[]}` {
		t.Fatalf("after Update: %+v", again)
	}
	got, err = s.Clients().Update(ctx, tn.ID, plain.ID, func(c model.Client) (model.Client, error) {
		c.RequirePAR, c.JWKS, c.JWKSURI = false, "", "https://rp.example/jwks.json"
		return c, nil
	})
	ok(t, err)
	list, err := s.Clients().List(ctx, tn.ID)
	ok(t, err)
	equal(t, list, []model.Client{got})
	if list[0].RequirePAR || list[0].JWKSURI != "https://rp.example/jwks.json" || list[0].JWKS != "" {
		t.Fatalf("List after the second Update: %+v", list[0])
	}
}
