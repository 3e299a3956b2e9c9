package linking

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"

	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
)

// refresh brings the member's profile and mapped groups in line with what
// the source says now, so a name change or a group removed upstream reaches
// the apps at the next sign-in. Only fields the source sent, and only
// groups the connection maps, are touched.
//
// The email follows the source only to an address the connection vouches
// for (the rule that links members, Vouch), and never to one another member
// holds: that member stays theirs, this one keeps its address, and the
// sign-in goes on. A value the directory refuses (an over-long name) is
// logged and left out the same way.
func (s *Service) refresh(ctx context.Context, tenantID string, c model.Connection, m model.Member, f Facts) (model.Member, error) {
	if p, ok := profilePatch(c, m, f); ok {
		var err error
		if m, err = s.updateProfile(ctx, tenantID, c, m, p); err != nil {
			return m, err
		}
	}
	if c.Claims.Groups == "" || len(c.GroupMap) == 0 {
		return m, nil
	}
	return m, s.SyncGroups(ctx, tenantID, c, m, f.Groups)
}

// profilePatch lists what differs. The email is marked verified whenever
// the connection vouches for the address the member ends up with.
func profilePatch(c model.Connection, m model.Member, f Facts) (directory.MemberPatch, bool) {
	var p directory.MemberPatch
	changed := false
	for _, fd := range []struct {
		dst       **string
		have, got string
	}{{&p.Name, m.Name, f.Name}, {&p.GivenName, m.GivenName, f.GivenName}, {&p.FamilyName, m.FamilyName, f.FamilyName}} {
		if fd.got != "" && fd.got != fd.have {
			v := fd.got
			*fd.dst, changed = &v, true
		}
	}
	if Vouch(c, f) != "" {
		return p, changed
	}
	verified := true
	if !strings.EqualFold(f.Email, m.Email) {
		email := f.Email
		p.Email, p.EmailVerified = &email, &verified
		return p, true
	}
	if !m.EmailVerified {
		p.EmailVerified, changed = &verified, true
	}
	return p, changed
}

func (s *Service) updateProfile(ctx context.Context, tenantID string, c model.Connection, m model.Member, p directory.MemberPatch) (model.Member, error) {
	updated, err := s.Directory.UpdateMember(ctx, Actor(c), tenantID, m.ID, p)
	if _, taken := errors.AsType[*problem.Conflict](err); taken && p.Email != nil {
		s.warn(ctx, c, "the source's new email belongs to another member; kept the old one", err)
		p.Email, p.EmailVerified = nil, nil
		if p == (directory.MemberPatch{}) {
			return m, nil
		}
		updated, err = s.Directory.UpdateMember(ctx, Actor(c), tenantID, m.ID, p)
	}
	if _, bad := errors.AsType[*problem.Invalid](err); bad {
		s.warn(ctx, c, "the source's profile does not fit; kept the member's", err)
		return m, nil
	}
	if err != nil {
		return m, err
	}
	return updated, nil
}

// SyncGroups adds the member to every mapped group whose upstream group
// they hold, and removes them from every mapped group they no longer hold.
// Sign-in calls it with the groups claim, SCIM with the names of the
// directory's groups the member is in.
func (s *Service) SyncGroups(ctx context.Context, tenantID string, c model.Connection, m model.Member, upstreamGroups []string) error {
	current, err := s.Groups.ListForMember(ctx, tenantID, m.ID)
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
			err = s.Directory.AddToGroup(ctx, Actor(c), tenantID, id, m.ID)
		case !in && has(id):
			err = s.Directory.RemoveFromGroup(ctx, Actor(c), tenantID, id, m.ID)
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

func (s *Service) warn(ctx context.Context, c model.Connection, what string, err error) {
	s.Logger.LogAttrs(ctx, slog.LevelWarn, "sign-in refresh: "+what,
		slog.String("connection", c.ID), slog.String("cause", err.Error()))
}
