package storetest

import (
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// testClientOmitIss: the RFC 9207 switch is stored, read back by Get and
// List, turned on and off by Update, and leaves the other clients alone.
func testClientOmitIss(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	on := mkClient(t, s, tn.ID, func(c *model.Client) { c.OmitAuthorizationResponseIss = true })
	off := mkClient(t, s, tn.ID, func(c *model.Client) { c.CreatedAt = t0.Add(time.Second) })
	got, err := s.Clients().Get(ctx, tn.ID, on.ID)
	ok(t, err)
	equal(t, got, on)
	list, err := s.Clients().List(ctx, tn.ID)
	ok(t, err)
	equal(t, list, []model.Client{on, off})

	for _, want := range []bool{false, true} {
		got, err = s.Clients().Update(ctx, tn.ID, off.ID, func(c model.Client) (model.Client, error) {
			c.OmitAuthorizationResponseIss = want
			return c, nil
		})
		ok(t, err)
		if got.OmitAuthorizationResponseIss != want {
			t.Fatalf("after Update to %v, the client reads %v", want, got.OmitAuthorizationResponseIss)
		}
		got, err = s.Clients().Get(ctx, tn.ID, off.ID)
		ok(t, err)
		if got.OmitAuthorizationResponseIss != want {
			t.Fatalf("Get after Update to %v reads %v", want, got.OmitAuthorizationResponseIss)
		}
	}
	got, err = s.Clients().Get(ctx, tn.ID, on.ID)
	ok(t, err)
	equal(t, got, on)
}
