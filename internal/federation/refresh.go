package federation

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/upstream"
)

// refresh brings the member's profile and mapped groups in line with what
// the provider says now, so a name change or a group removed upstream
// reaches the apps at the next sign-in. Only fields the provider sent, and
// only groups the connection maps, are touched; the change is audited as
// the connection's.
func (h *Handler) refresh(ctx context.Context, t model.Tenant, c model.Connection, m model.Member, cl upstream.Claims) (model.Member, error) {
	if p, ok := profilePatch(c, m, cl); ok {
		updated, err := h.Directory.UpdateMember(ctx, actorOf(c), t.ID, m.ID, p)
		var inv *problem.Invalid
		var conflict *problem.Conflict
		switch {
		case errors.As(err, &inv), errors.As(err, &conflict):
			// The provider's values do not fit (an email another member
			// holds, an over-long name): keep what we have and sign in.
			h.warn(ctx, "refresh profile from "+actorOf(c), err)
		case err != nil:
			return m, err
		default:
			m = updated
		}
	}
	if c.Claims.Groups == "" || len(c.GroupMap) == 0 {
		return m, nil
	}
	return m, h.syncGroups(ctx, t, c, m, cl.Groups)
}

// profilePatch lists what differs. The email changes only to another
// address of a domain the connection serves, and becomes verified only
// when the connection trusts the provider's email.
func profilePatch(c model.Connection, m model.Member, cl upstream.Claims) (directory.MemberPatch, bool) {
	var p directory.MemberPatch
	changed := false
	for _, f := range []struct {
		dst  **string
		have string
		got  string
	}{{&p.Name, m.Name, cl.Name}, {&p.GivenName, m.GivenName, cl.GivenName}, {&p.FamilyName, m.FamilyName, cl.FamilyName}} {
		if f.got != "" && f.got != f.have {
			v := f.got
			*f.dst, changed = &v, true
		}
	}
	if cl.Email != "" && !strings.EqualFold(cl.Email, m.Email) && serves(c, cl.Email) {
		v := cl.Email
		p.Email, changed = &v, true
	}
	if c.TrustEmail && (!m.EmailVerified || p.Email != nil) {
		v := true
		p.EmailVerified, changed = &v, true
	}
	return p, changed
}

// syncGroups adds the member to every mapped group whose upstream group
// they hold, and removes them from every mapped group they no longer hold.
func (h *Handler) syncGroups(ctx context.Context, t model.Tenant, c model.Connection, m model.Member, upstreamGroups []string) error {
	current, err := h.Store.Groups().ListForMember(ctx, t.ID, m.ID)
	if err != nil {
		return err
	}
	want := map[string]bool{}
	for _, gm := range c.GroupMap {
		want[gm.GroupID] = want[gm.GroupID] || slices.Contains(upstreamGroups, gm.Upstream)
	}
	has := func(id string) bool {
		return slices.ContainsFunc(current, func(g model.Group) bool { return g.ID == id })
	}
	for id, in := range want {
		var err error
		switch {
		case in && !has(id):
			err = h.Directory.AddToGroup(ctx, actorOf(c), t.ID, id, m.ID)
		case !in && has(id):
			err = h.Directory.RemoveFromGroup(ctx, actorOf(c), t.ID, id, m.ID)
		}
		if _, gone := errors.AsType[*problem.NotFound](err); gone {
			continue // a mapped group was deleted: its mapping lapses
		}
		if err != nil {
			return err
		}
	}
	return nil
}
