package federation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/upstream"
)

// Refusal messages. They say what to do, never whose account exists.
const (
	msgNoEmail     = "Your organisation's sign-in did not tell us your email address, so we cannot find your account. Ask your IT team to release the email claim to this site."
	msgWrongDomain = "Your organisation's sign-in returned an email address this sign-in option does not serve. Ask your administrator."
	msgNoAccount   = "There is no account for you on this site yet. Ask the site's administrator to add you."
	msgDisabled    = "You cannot sign in to this site. Ask the site's administrator."
	msgBadProfile  = "Your organisation's sign-in sent details this site cannot accept. Ask your administrator."
)

// member finds or creates the member an upstream identity stands for:
//
//  1. an identity already linked (connection, issuer, subject) wins;
//  2. else, the first time, a member with the same email is linked, but
//     only when this connection serves that email's domain: a provider
//     cannot vouch for addresses of domains it does not own;
//  3. else a member is created when just-in-time creation is on;
//  4. else the sign-in is refused.
//
// Profile fields and mapped groups are refreshed on every sign-in.
func (h *Handler) member(ctx context.Context, t model.Tenant, c model.Connection, cl upstream.Claims) (model.Member, *failure, error) {
	for attempt := 0; ; attempt++ {
		m, f, err := h.resolve(ctx, t, c, cl)
		// Two first sign-ins of one person can race; the loser finds the
		// winner's member or identity on its second look.
		if errors.Is(err, model.ErrConflict) && attempt == 0 {
			continue
		}
		if err != nil || f != nil {
			return m, f, err
		}
		if m.Disabled {
			return m, refused("disabled", msgDisabled), nil
		}
		m, err = h.refresh(ctx, t, c, m, cl)
		return m, nil, err
	}
}

func (h *Handler) resolve(ctx context.Context, t model.Tenant, c model.Connection, cl upstream.Claims) (model.Member, *failure, error) {
	id, err := h.Store.Identities().Get(ctx, t.ID, c.ID, cl.Issuer, cl.Subject)
	if err == nil {
		m, err := h.Store.Members().Get(ctx, t.ID, id.MemberID)
		return m, nil, err
	}
	if !errors.Is(err, model.ErrNotFound) {
		return model.Member{}, nil, err
	}
	if cl.Email == "" {
		return model.Member{}, refused("no_email", msgNoEmail), nil
	}
	if !serves(c, cl.Email) {
		return model.Member{}, refused("domain_not_served", msgWrongDomain), nil
	}
	m, err := h.Store.Members().GetByEmail(ctx, t.ID, cl.Email)
	switch {
	case errors.Is(err, model.ErrNotFound) && !c.JIT:
		return model.Member{}, refused("no_account", msgNoAccount), nil
	case errors.Is(err, model.ErrNotFound):
		var f *failure
		if m, f, err = h.create(ctx, t, c, cl); f != nil || err != nil {
			return m, f, err
		}
	case err != nil:
		return model.Member{}, nil, err
	case m.Disabled:
		return m, refused("disabled", msgDisabled), nil
	}
	if err := h.link(ctx, t, c, cl, m); err != nil {
		return model.Member{}, nil, err
	}
	return m, nil, nil
}

// serves reports whether c serves email's domain (case-insensitively).
func serves(c model.Connection, email string) bool {
	domain := strings.ToLower(email[strings.LastIndexByte(email, '@')+1:])
	return slices.Contains(c.Domains, domain)
}

func (h *Handler) link(ctx context.Context, t model.Tenant, c model.Connection, cl upstream.Claims, m model.Member) error {
	err := h.Store.Identities().Create(ctx, model.Identity{TenantID: t.ID, ConnectionID: c.ID, Issuer: cl.Issuer,
		Subject: cl.Subject, MemberID: m.ID, CreatedAt: h.now()})
	if err != nil {
		return fmt.Errorf("link identity: %w", err)
	}
	h.audit(ctx, t, actorOf(c), "member.identity.link", "member:"+m.ID,
		map[string]string{"connection": c.ID, "issuer": cl.Issuer})
	return nil
}

// create makes the member just in time. The provider's email is verified
// only when the connection trusts it (off by default).
func (h *Handler) create(ctx context.Context, t model.Tenant, c model.Connection, cl upstream.Claims) (model.Member, *failure, error) {
	in := directory.MemberInput{Email: cl.Email, Name: displayName(cl), GivenName: cl.GivenName,
		FamilyName: cl.FamilyName, Status: &c.JITStatus, EmailVerified: c.TrustEmail}
	if in.Validate() != nil {
		return model.Member{}, refused("bad_profile", msgBadProfile), nil
	}
	m, err := h.Directory.AddMember(ctx, actorOf(c), t.ID, in)
	if _, ok := errors.AsType[*problem.Conflict](err); ok {
		return m, nil, fmt.Errorf("create member: %w", model.ErrConflict)
	}
	return m, nil, err
}

// displayName falls back to the email's local part: a name is required.
func displayName(cl upstream.Claims) string {
	if cl.Name != "" {
		return cl.Name
	}
	if n := strings.TrimSpace(cl.GivenName + " " + cl.FamilyName); n != "" {
		return n
	}
	return cl.Email[:strings.LastIndexByte(cl.Email, '@')]
}

func actorOf(c model.Connection) string { return "connection:" + c.ID }
