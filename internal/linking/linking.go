// Package linking decides how an identity that an outside source asserts
// becomes a member: which member it is, when an existing member may be
// linked to it or a new one created, and what of the member's profile and
// groups the source keeps up to date. These rules are all that stands
// between one organisation's identity provider and another organisation's
// members, so they live here once, free of HTTP and of any protocol: the
// federation callback (OpenID Connect) calls them, and SCIM provisioning
// and invitations are to call them too, each passing the Facts it has
// verified in its own way.
package linking

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/guildgate/guildgate/internal/auditlog"
	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// Facts are what a source says about one person, already verified by the
// caller (for OpenID Connect: the ID token's signature, issuer, audience,
// expiry and nonce). Nothing in them is taken for more than the source's
// connection is trusted with.
type Facts struct {
	// Issuer and Subject name the person at the source for good; an email
	// never does.
	Issuer, Subject string
	Email           string
	// EmailVerified is the source's own word that Email is verified (for
	// OpenID Connect, email_verified: true about that address).
	EmailVerified bool
	// Tenant is the Entra ID tenant that issued the assertion, for a
	// connection in multi-tenant mode (its issuer checked against it).
	Tenant                      string
	Name, GivenName, FamilyName string
	Groups                      []string // the source's groups, when the connection reads them
	// Language is the member's language when the source names one we
	// speak (one of i18n.Languages), given to a member it creates.
	Language string
}

// Service applies the rules over the store. Every change is the
// connection's, in the audit log ("connection:<id>").
type Service struct {
	Identities store.Identities
	Members    store.Members
	Groups     store.Groups
	Audit      store.Audit
	Directory  *directory.Service
	Logger     *slog.Logger // profile values the directory refused, kept out of the member
	Now        func() time.Time
}

// SignIn returns the member that f stands for under connection c:
//
//  1. an identity already linked (connection, issuer, subject) is its
//     member, whatever the email says now;
//  2. else the connection must vouch for f's email (see Vouch), and then a
//     member holding that email is linked, or
//  3. one is created when the connection creates members just in time;
//  4. else the sign-in is refused.
//
// A disabled member is refused. The member's profile and mapped groups are
// then brought in line with f (see refresh). A *Refusal error means
// nothing was linked, created or changed.
func (s *Service) SignIn(ctx context.Context, tenantID string, c model.Connection, f Facts) (model.Member, error) {
	for attempt := 0; ; attempt++ {
		m, err := s.resolve(ctx, tenantID, c, f)
		// Two first sign-ins of one person can race; the loser finds the
		// winner's member or identity on its second look.
		if errors.Is(err, model.ErrConflict) && attempt == 0 {
			continue
		}
		if err != nil {
			return model.Member{}, err
		}
		if m.Disabled {
			return model.Member{}, refuse(Disabled)
		}
		return s.refresh(ctx, tenantID, c, m, f)
	}
}

// Provision returns the member that f stands for when a directory pushes
// it (SCIM), by the rules SignIn follows, with two differences: the
// member is created whether or not the connection creates members at
// sign-in, since the directory's administrator chose to provision this
// person; and neither the profile nor groups are refreshed, since the
// caller writes what the directory sent. A disabled member is not linked
// (an administrator disabled them here; a directory may not undo that by
// provisioning the address), but one already linked is returned as it is.
func (s *Service) Provision(ctx context.Context, tenantID string, c model.Connection, f Facts) (model.Member, error) {
	return s.resolveOrCreate(ctx, tenantID, c, f, true)
}

func (s *Service) resolve(ctx context.Context, tenantID string, c model.Connection, f Facts) (model.Member, error) {
	return s.resolveOrCreate(ctx, tenantID, c, f, c.JIT)
}

func (s *Service) resolveOrCreate(ctx context.Context, tenantID string, c model.Connection, f Facts, create bool) (model.Member, error) {
	id, err := s.Identities.Get(ctx, tenantID, c.ID, f.Issuer, f.Subject)
	if err == nil {
		return s.Members.Get(ctx, tenantID, id.MemberID)
	}
	if !errors.Is(err, model.ErrNotFound) {
		return model.Member{}, err
	}
	if r := Vouch(c, f); r != "" {
		return model.Member{}, refuse(r)
	}
	m, err := s.Members.GetByEmail(ctx, tenantID, f.Email)
	switch {
	case errors.Is(err, model.ErrNotFound) && !create:
		return model.Member{}, refuse(NoAccount)
	case errors.Is(err, model.ErrNotFound):
		if m, err = s.create(ctx, tenantID, c, f); err != nil {
			return model.Member{}, err
		}
	case err != nil:
		return model.Member{}, err
	case m.Disabled:
		return model.Member{}, refuse(Disabled)
	}
	return m, s.link(ctx, tenantID, c, f, m)
}

func (s *Service) link(ctx context.Context, tenantID string, c model.Connection, f Facts, m model.Member) error {
	err := s.Identities.Create(ctx, model.Identity{TenantID: tenantID, ConnectionID: c.ID, Issuer: f.Issuer,
		Subject: f.Subject, MemberID: m.ID, CreatedAt: s.now()})
	if errors.Is(err, model.ErrConflict) {
		// A concurrent first sign-in of the same person linked the identity
		// to this member between our look and our write: that is the link we
		// wanted, and the winner has audited it.
		if id, gerr := s.Identities.Get(ctx, tenantID, c.ID, f.Issuer, f.Subject); gerr == nil && id.MemberID == m.ID {
			return nil
		}
	}
	if err != nil {
		return fmt.Errorf("link identity: %w", err)
	}
	detail := map[string]string{"connection": c.ID, "issuer": f.Issuer}
	if f.Tenant != "" {
		detail["entra_tenant"] = f.Tenant
	}
	return auditlog.Record(ctx, s.Audit, model.AuditEvent{TenantID: tenantID, At: s.now(), Actor: Actor(c),
		Action: "member.identity.link", Target: "member:" + m.ID, Detail: detail})
}

// Actor is how the audit log names what c's sign-ins change.
func Actor(c model.Connection) string { return "connection:" + c.ID }

func (s *Service) now() time.Time { return store.Stamp(s.Now()) }
