package clients

import (
	"context"
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// View is a client as administrators see it: the stored client plus its
// current secret in plain text (PRODUCT.md: it stays readable, since it
// keys HS256) and its permitted groups by name.
type View struct {
	model.Client
	// Secret is the current secret; empty for a public client.
	Secret string
	// PermittedGroupNames follows PermittedGroups; a group deleted since
	// shows as "(deleted group <id>)", because an empty list would read as
	// "every member", which is not what the client enforces.
	PermittedGroupNames []string
	// SecretRotatingUntil is when the last older secret stops working; zero
	// when no rotation overlap is running.
	SecretRotatingUntil time.Time
	// AdmitsNobody is true for a client restricted to groups none of which
	// exists any more: no member may use it until an administrator chooses
	// groups again or opens it to every member.
	AdmitsNobody bool
}

// PermittedNames shows permitted group ids by name, for a client's or a SAML
// app's view: a group deleted since shows as "(deleted group <id>)", since
// leaving it out could turn the list into an empty one, which reads as
// "every member". admitsNobody reports a restriction (restricted) none of
// whose groups exists any more.
func PermittedNames(groupIDs []string, groupNames map[string]string, restricted bool) (names []string, admitsNobody bool) {
	names, admitsNobody = make([]string, len(groupIDs)), restricted
	for i, id := range groupIDs {
		name, ok := groupNames[id]
		if !ok {
			name = "(deleted group " + id + ")"
		}
		names[i] = name
		admitsNobody = admitsNobody && !ok
	}
	return names, admitsNobody
}

func (s *Service) view(ctx context.Context, c model.Client) (View, error) {
	names, err := s.groupNames(ctx, c.TenantID)
	if err != nil {
		return View{}, err
	}
	return s.viewWith(c, names)
}

func (s *Service) viewWith(c model.Client, groupNames map[string]string) (View, error) {
	v := View{Client: c}
	v.PermittedGroupNames, v.AdmitsNobody = PermittedNames(c.PermittedGroups, groupNames, !c.OpenToAllMembers())
	now := s.now()
	for i, cs := range c.Secrets {
		if i == 0 {
			plain, err := s.openSecret(c, cs)
			if err != nil {
				return View{}, err
			}
			v.Secret = string(plain)
			continue
		}
		if liveAt(cs, now) && cs.ExpiresAt.After(v.SecretRotatingUntil) {
			v.SecretRotatingUntil = cs.ExpiresAt
		}
	}
	return v, nil
}
