package directory

import (
	"context"
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
)

// client stores a client restricted to groups (open to every member when
// there are none) straight in the store: these tests are about the
// directory's side of access.
func (f fixture) client(t *testing.T, groups ...model.Group) model.Client {
	t.Helper()
	c := model.Client{ID: ids.NewUUID(), TenantID: f.tenant, Name: "App", AllMembers: len(groups) == 0,
		RedirectURIs: []string{"https://app.example/cb"}, CreatedAt: clock, UpdatedAt: clock}
	for _, g := range groups {
		c.PermittedGroups = append(c.PermittedGroups, g.ID)
	}
	if err := f.st.Clients().Create(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}

// grant stores a live grant of c to m, as a sign-in to the app would.
func (f fixture) grant(t *testing.T, c model.Client, m model.Member) model.Grant {
	t.Helper()
	g := model.Grant{ID: ids.NewUUID(), TenantID: f.tenant, ClientID: c.ID, MemberID: m.ID, Scopes: []string{"openid"},
		AuthTime: clock.Add(-time.Minute), CreatedAt: clock.Add(-time.Minute), ExpiresAt: clock.Add(24 * time.Hour)}
	if err := f.st.Grants().Create(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	return g
}

// wantRevoked checks which grants are revoked (at the directory's clock) and
// which still stand.
func (f fixture) wantRevoked(t *testing.T, revoked bool, gs ...model.Grant) {
	t.Helper()
	for _, g := range gs {
		got, err := f.st.Grants().Get(context.Background(), f.tenant, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.RevokedAt.IsZero() == revoked || revoked && !got.RevokedAt.Equal(clock) {
			t.Errorf("grant of client %s to member %s: revoked at %v, want revoked %v", g.ClientID, g.MemberID, got.RevokedAt, revoked)
		}
	}
}

// TestCredentialChangesRevokeEveryGrant: a password change or reset and a
// disabling revoke every grant the member holds (so every access and
// refresh token issued under them), and nobody else's; enabling the member
// again revives none.
func TestCredentialChangesRevokeEveryGrant(t *testing.T) {
	ctx := context.Background()
	for name, change := range map[string]func(f fixture, m model.Member) error{
		"set password": func(f fixture, m model.Member) error {
			return f.svc.SetPassword(ctx, "cli", f.tenant, m.ID, "a brand new password")
		},
		"disable": func(f fixture, m model.Member) error {
			if _, err := f.svc.DisableMember(ctx, "cli", f.tenant, m.ID); err != nil {
				return err
			}
			_, err := f.svc.EnableMember(ctx, "cli", f.tenant, m.ID)
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			ada, bob := f.add(t, MemberInput{Email: "ada@example.org", Name: "Ada"}), f.add(t, MemberInput{Email: "bob@example.org", Name: "Bob"})
			board := f.addGroup(t, "Board")
			open, closed := f.client(t), f.client(t, board)
			if err := f.svc.AddToGroup(ctx, "cli", f.tenant, board.ID, ada.ID); err != nil {
				t.Fatal(err)
			}
			adas := []model.Grant{f.grant(t, open, ada), f.grant(t, closed, ada)}
			bobs := f.grant(t, open, bob)
			if err := change(f, ada); err != nil {
				t.Fatal(err)
			}
			f.wantRevoked(t, true, adas...)
			f.wantRevoked(t, false, bobs)
		})
	}
}

// TestLosingEveryPermittedGroupRevokesThatClientsGrants: leaving a group
// revokes the member's grants of the clients restricted to it that they may
// no longer use, and only those; getting the group back revives nothing.
func TestLosingEveryPermittedGroupRevokesThatClientsGrants(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ada, bob := f.add(t, MemberInput{Email: "ada@example.org", Name: "Ada"}), f.add(t, MemberInput{Email: "bob@example.org", Name: "Bob"})
	board, staff := f.addGroup(t, "Board"), f.addGroup(t, "Staff")
	for _, in := range [][2]string{{board.ID, ada.ID}, {staff.ID, ada.ID}, {board.ID, bob.ID}} {
		if err := f.svc.AddToGroup(ctx, "cli", f.tenant, in[0], in[1]); err != nil {
			t.Fatal(err)
		}
	}
	boardOnly, boardOrStaff, open := f.client(t, board), f.client(t, board, staff), f.client(t)
	lost := f.grant(t, boardOnly, ada)
	kept := []model.Grant{f.grant(t, boardOrStaff, ada), f.grant(t, open, ada), f.grant(t, boardOnly, bob)}

	if err := f.svc.RemoveFromGroup(ctx, "cli", f.tenant, board.ID, ada.ID); err != nil {
		t.Fatal(err)
	}
	f.wantRevoked(t, true, lost)
	f.wantRevoked(t, false, kept...)
	if err := f.svc.AddToGroup(ctx, "cli", f.tenant, board.ID, ada.ID); err != nil {
		t.Fatal(err)
	}
	f.wantRevoked(t, true, lost)
}

// TestDeletingAGroupRevokesWhatItAlonePermitted: the members of a deleted
// group lose the grants of clients it alone let them use; a client whose
// only group it was admits nobody, and stays restricted.
func TestDeletingAGroupRevokesWhatItAlonePermitted(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ada, bob := f.add(t, MemberInput{Email: "ada@example.org", Name: "Ada"}), f.add(t, MemberInput{Email: "bob@example.org", Name: "Bob"})
	board, staff := f.addGroup(t, "Board"), f.addGroup(t, "Staff")
	for _, in := range [][2]string{{board.ID, ada.ID}, {board.ID, bob.ID}, {staff.ID, bob.ID}} {
		if err := f.svc.AddToGroup(ctx, "cli", f.tenant, in[0], in[1]); err != nil {
			t.Fatal(err)
		}
	}
	boardOnly, boardOrStaff, open := f.client(t, board), f.client(t, board, staff), f.client(t)
	lost := []model.Grant{f.grant(t, boardOnly, ada), f.grant(t, boardOnly, bob), f.grant(t, boardOrStaff, ada)}
	kept := []model.Grant{f.grant(t, boardOrStaff, bob), f.grant(t, open, ada)}

	if err := f.svc.DeleteGroup(ctx, "cli", f.tenant, board.ID); err != nil {
		t.Fatal(err)
	}
	f.wantRevoked(t, true, lost...)
	f.wantRevoked(t, false, kept...)
	c, err := f.st.Clients().Get(ctx, f.tenant, boardOnly.ID)
	if err != nil || c.OpenToAllMembers() {
		t.Fatalf("the client restricted to the deleted group: %+v, %v", c, err)
	}
}
