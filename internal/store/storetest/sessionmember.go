package storetest

import (
	"testing"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// testSessionGetWithMember checks that the one-read lookup returns what Get
// and Members().Get return, for the right member, and nothing across
// tenants or once the session or its member is gone.
func testSessionGetWithMember(t *testing.T, s store.Store) {
	ctx := t.Context()
	alpha, beta := mkTenant(t, s, "alpha"), mkTenant(t, s, "beta")
	ada, bob := mkMember(t, s, alpha.ID, "ada@example.com"), mkMember(t, s, alpha.ID, "bob@example.com")
	ada, err := s.Members().Update(ctx, alpha.ID, ada.ID, func(m model.Member) (model.Member, error) {
		m.GivenName, m.Language, m.Admin, m.PasswordHash, m.LegacyID = "Ada", "nl", true, "$argon2id$x", "L-1"
		return m, nil
	})
	ok(t, err)
	sa := mkSession(t, s, alpha.ID, ada.ID, func(ss *model.Session) {
		ss.AMR, ss.Browser, ss.OS = []string{"pwd", "otp", "mfa"}, "Firefox", "Linux"
	})
	sb := mkSession(t, s, alpha.ID, bob.ID, nil)
	for _, c := range []struct {
		session model.Session
		member  string
	}{{sa, ada.ID}, {sb, bob.ID}} {
		gotS, gotM, err := s.Sessions().GetWithMember(ctx, alpha.ID, c.session.ID)
		ok(t, err)
		wantS, err := s.Sessions().Get(ctx, alpha.ID, c.session.ID)
		ok(t, err)
		wantM, err := s.Members().Get(ctx, alpha.ID, c.member)
		ok(t, err)
		equal(t, gotS, wantS)
		equal(t, gotM, wantM)
	}

	_, _, err = s.Sessions().GetWithMember(ctx, beta.ID, sa.ID)
	wantErr(t, err, model.ErrNotFound)
	_, _, err = s.Sessions().GetWithMember(ctx, alpha.ID, "missing")
	wantErr(t, err, model.ErrNotFound)
	ok(t, s.Sessions().Delete(ctx, alpha.ID, sb.ID))
	_, _, err = s.Sessions().GetWithMember(ctx, alpha.ID, sb.ID)
	wantErr(t, err, model.ErrNotFound)
	ok(t, s.Members().Delete(ctx, alpha.ID, ada.ID))
	_, _, err = s.Sessions().GetWithMember(ctx, alpha.ID, sa.ID)
	wantErr(t, err, model.ErrNotFound)
}
