package scim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/guildgate/guildgate/internal/directory"
	"github.com/guildgate/guildgate/internal/linking"
	"github.com/guildgate/guildgate/internal/model"
	filter "github.com/scim2/filter-parser/v2"
)

// scimUser is a member linked to the call's connection through SCIM.
type scimUser struct {
	m  model.Member
	id model.Identity
}

// userOf finds the connection's SCIM user with member id. A member of the
// tenant who is not the connection's is as absent as one who does not exist.
func (h *Handler) userOf(ctx context.Context, c *call, id string) (scimUser, error) {
	m, err := h.Members.Get(ctx, c.tenant.ID, id)
	if errors.Is(err, model.ErrNotFound) {
		return scimUser{}, notFound("User " + id)
	} else if err != nil {
		return scimUser{}, fmt.Errorf("get member: %w", err)
	}
	link, ok, err := h.linkOf(ctx, c, m.ID)
	if err != nil {
		return scimUser{}, err
	}
	if !ok {
		return scimUser{}, notFound("User " + id)
	}
	return scimUser{m: m, id: link}, nil
}

// linkOf returns the member's SCIM identity under the call's connection.
func (h *Handler) linkOf(ctx context.Context, c *call, memberID string) (model.Identity, bool, error) {
	ids, err := h.Identities.ListForMember(ctx, c.tenant.ID, memberID)
	if err != nil {
		return model.Identity{}, false, fmt.Errorf("identities of member: %w", err)
	}
	i := slices.IndexFunc(ids, func(id model.Identity) bool {
		return id.ConnectionID == c.conn.ID && id.Issuer == model.SCIMIssuer
	})
	if i < 0 {
		return model.Identity{}, false, nil
	}
	return ids[i], true, nil
}

func (h *Handler) getUser(w http.ResponseWriter, r *http.Request, c *call) error {
	u, err := h.userOf(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.writeUser(w, r, c, http.StatusOK, u)
}

func (h *Handler) writeUser(w http.ResponseWriter, r *http.Request, c *call, status int, u scimUser) error {
	res, err := h.userResource(r.Context(), c, u)
	if err != nil {
		return err
	}
	return writeResource(w, r, status, c.base+"Users/"+u.m.ID, res)
}

// createUser provisions a member: found or created by the linking rules
// for the connection's domains, linked by its externalId, then given what
// the directory sent.
func (h *Handler) createUser(w http.ResponseWriter, r *http.Request, c *call) error {
	in, err := readBody(r, parseUser)
	if err != nil {
		return err
	}
	ctx := r.Context()
	email := in.memberEmail(user{})
	if email == "" || !strings.Contains(email, "@") {
		return badRequest(invalidValue, "userName or emails must hold the member's email address")
	}
	f := linking.Facts{Issuer: model.SCIMIssuer, Subject: subjectOf(in), Email: email, EmailVerified: true,
		Name: in.memberName(email), GivenName: in.GivenName, FamilyName: in.FamilyName}
	if in.Language != nil {
		f.Language = *in.Language
	}
	if err := h.checkNew(ctx, c, f); err != nil {
		return err
	}
	m, err := h.Linking.Provision(ctx, c.tenant.ID, c.conn, f)
	if err != nil {
		return provisionError(err, email)
	}
	link, _, err := h.linkOf(ctx, c, m.ID)
	if err != nil {
		return err
	}
	u := scimUser{m: m, id: link}
	if u, err = h.apply(ctx, c, u, in); err != nil {
		return err
	}
	return h.writeUser(w, r, c, http.StatusCreated, u)
}

// checkNew refuses, before anything is written, a user the connection
// has already (by externalId, or by the address's member) and an address
// the connection may not speak for.
func (h *Handler) checkNew(ctx context.Context, c *call, f linking.Facts) error {
	_, err := h.Identities.Get(ctx, c.tenant.ID, c.conn.ID, model.SCIMIssuer, f.Subject)
	if err == nil {
		return fail(http.StatusConflict, uniqueness, "a user with this externalId (or userName) exists")
	} else if !errors.Is(err, model.ErrNotFound) {
		return fmt.Errorf("look up identity: %w", err)
	}
	if reason := linking.Vouch(c.conn, f); reason != "" {
		return refusal(reason, f.Email)
	}
	m, err := h.Members.GetByEmail(ctx, c.tenant.ID, f.Email)
	if errors.Is(err, model.ErrNotFound) {
		return nil
	} else if err != nil {
		return fmt.Errorf("look up member: %w", err)
	}
	if _, linked, err := h.linkOf(ctx, c, m.ID); err != nil {
		return err
	} else if linked {
		return fail(http.StatusConflict, uniqueness, "a user with userName "+f.Email+" exists")
	}
	return nil
}

// provisionError gives linking's refusals their SCIM form.
func provisionError(err error, email string) error {
	if r, ok := errors.AsType[*linking.Refusal](err); ok {
		return refusal(r.Reason, email)
	}
	if errors.Is(err, model.ErrConflict) {
		return fail(http.StatusConflict, uniqueness, "the user was provisioned by a concurrent request")
	}
	return err
}

func refusal(r linking.Reason, email string) error {
	switch r {
	case linking.DomainNotServed:
		return badRequest(invalidValue, "%s is not of a domain this connection serves", email)
	case linking.TenantNotBound:
		return badRequest(invalidValue, "%s is not of a domain bound to an Entra ID tenant of this connection", email)
	case linking.Disabled:
		return fail(http.StatusConflict, uniqueness, "the member with address "+email+
			" was disabled by the site's administrators; they must enable them first")
	}
	return badRequest(invalidValue, "%s cannot make a member (%s)", email, r)
}

// replaceUser is PUT: the whole user, as Okta sends a profile change.
func (h *Handler) replaceUser(w http.ResponseWriter, r *http.Request, c *call) error {
	return h.changeUser(w, r, c, func(old user) (user, error) {
		in, err := readBody(r, parseUser)
		if err != nil {
			return in, err
		}
		if in.ExternalID == "" {
			in.ExternalID = old.ExternalID
		}
		if in.Email == "" && !strings.Contains(in.UserName, "@") {
			in.Email = old.Email
		}
		return in, nil
	})
}

// patchUser is PATCH, as Entra ID sends every change and Okta sends
// (de)activation.
func (h *Handler) patchUser(w http.ResponseWriter, r *http.Request, c *call) error {
	return h.changeUser(w, r, c, func(in user) (user, error) {
		ops, err := readBody(r, parsePatch)
		if err != nil {
			return in, err
		}
		err = in.patch(ops)
		return in, err
	})
}

// changeUser is PUT and PATCH alike: the user is found (before its body is
// read, so an unknown one is a 404 whatever was sent), next makes the new
// state of the old one, which is applied and sent back.
func (h *Handler) changeUser(w http.ResponseWriter, r *http.Request, c *call, next func(old user) (user, error)) error {
	u, err := h.userOf(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	in, err := next(stateOf(u.m, u.id))
	if err != nil {
		return err
	}
	if u, err = h.apply(r.Context(), c, u, in); err != nil {
		return err
	}
	return h.writeUser(w, r, c, http.StatusOK, u)
}

// apply brings the member in line with in: profile first (checked whole
// before anything is written), then the active flag, whose false ends
// every session and revokes every token of the member at once.
func (h *Handler) apply(ctx context.Context, c *call, u scimUser, in user) (scimUser, error) {
	old := stateOf(u.m, u.id)
	if in.ExternalID != old.ExternalID && in.ExternalID != "" {
		return u, badRequest(mutability, "externalId cannot change; delete the user and create it again")
	}
	p, err := h.profilePatch(c, u.m, old, in)
	if err != nil {
		return u, err
	}
	if p != (directory.MemberPatch{}) {
		if u.m, err = h.Directory.UpdateMember(ctx, c.actor(), c.tenant.ID, u.m.ID, p); err != nil {
			return u, err
		}
	}
	switch {
	case in.Active && u.m.Disabled:
		u.m, err = h.Directory.EnableMember(ctx, c.actor(), c.tenant.ID, u.m.ID)
	case !in.Active && !u.m.Disabled:
		u.m, err = h.Directory.DisableMember(ctx, c.actor(), c.tenant.ID, u.m.ID)
	}
	return u, err
}

// profilePatch lists what of the profile differs. A new address must be
// one the connection may speak for, like the one it was created with; the
// connection vouches for it, so it is verified.
func (h *Handler) profilePatch(c *call, m model.Member, old, in user) (directory.MemberPatch, error) {
	var p directory.MemberPatch
	email := in.memberEmail(old)
	verified := true
	switch f := (linking.Facts{Issuer: model.SCIMIssuer, Email: email, EmailVerified: true}); {
	case !strings.EqualFold(email, m.Email):
		if reason := linking.Vouch(c.conn, f); reason != "" {
			return p, refusal(reason, email)
		}
		p.Email, p.EmailVerified = &email, &verified
	case !m.EmailVerified && linking.Vouch(c.conn, f) == "":
		p.EmailVerified = &verified
	}
	for _, f := range []struct {
		dst       **string
		have, got string
	}{{&p.Name, m.Name, in.memberName(email)}, {&p.GivenName, m.GivenName, in.GivenName},
		{&p.FamilyName, m.FamilyName, in.FamilyName}} {
		if strings.TrimSpace(f.got) != f.have {
			v := f.got
			*f.dst = &v
		}
	}
	if in.Language != nil && *in.Language != m.Language {
		p.Language = in.Language
	}
	if p != (directory.MemberPatch{}) {
		if err := p.Validate(); err != nil {
			return p, err
		}
	}
	return p, nil
}

// deleteUser disables the member (ending their sessions and tokens), takes
// them out of the directory's groups, and unlinks them from the
// connection: the user is gone from SCIM, and the member stays for the
// site's administrators to decide about.
func (h *Handler) deleteUser(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	u, err := h.userOf(ctx, c, r.PathValue("id"))
	if err != nil {
		return err
	}
	if !u.m.Disabled {
		if u.m, err = h.Directory.DisableMember(ctx, c.actor(), c.tenant.ID, u.m.ID); err != nil {
			return err
		}
	}
	gs, err := h.SCIM.GroupsOfMember(ctx, c.tenant.ID, c.conn.ID, u.m.ID)
	if err != nil {
		return fmt.Errorf("groups of member: %w", err)
	}
	for _, g := range gs {
		if err := h.SCIM.RemoveGroupMember(ctx, c.tenant.ID, g.ID, u.m.ID); err != nil {
			return fmt.Errorf("remove from scim group: %w", err)
		}
	}
	if err := h.Linking.SyncGroups(ctx, c.tenant.ID, c.conn, u.m, nil); err != nil {
		return err
	}
	if err := h.Linking.Unlink(ctx, c.tenant.ID, c.conn, u.id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listUsers answers GET /Users, filtered (Okta and Entra ID ask with
// userName eq and externalId eq before they create) and paged.
func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request, c *call) error {
	return list(w, r, listing[scimUser]{attrs: userFilterAttrs,
		page: func(ctx context.Context, offset, limit int) (int, []scimUser, error) {
			return h.usersPage(ctx, c, offset, limit)
		},
		candidates: func(ctx context.Context, e filter.Expression) ([]scimUser, error) {
			return h.usersByHint(ctx, c, e)
		},
		record: func(_ context.Context, u scimUser) (record, error) { return userRecord(u), nil },
		resource: func(ctx context.Context, u scimUser, _ projection) (map[string]any, error) {
			return h.userResource(ctx, c, u)
		},
	})
}

// usersPage reads one page of the connection's users in identity order.
func (h *Handler) usersPage(ctx context.Context, c *call, offset, limit int) (int, []scimUser, error) {
	if limit == 0 {
		_, total, err := h.Identities.ListForConnection(ctx, c.tenant.ID, c.conn.ID, model.SCIMIssuer, 0, 1)
		return total, nil, err
	}
	ids, total, err := h.Identities.ListForConnection(ctx, c.tenant.ID, c.conn.ID, model.SCIMIssuer, offset, limit)
	if err != nil {
		return 0, nil, fmt.Errorf("list scim users: %w", err)
	}
	out := make([]scimUser, 0, len(ids))
	for _, id := range ids {
		m, err := h.Members.Get(ctx, c.tenant.ID, id.MemberID)
		if err != nil {
			return 0, nil, fmt.Errorf("get member: %w", err)
		}
		out = append(out, scimUser{m: m, id: id})
	}
	return total, out, nil
}

// usersByHint returns the candidates a filter can match: the one user an
// equality on userName, externalId or id names, else every user.
func (h *Handler) usersByHint(ctx context.Context, c *call, e filter.Expression) ([]scimUser, error) {
	switch attr, value, ok := hint(e, userFilterAttrs, "id", "username", "externalid"); {
	case !ok:
		return scan(ctx, "users", "userName, externalId or id", func(ctx context.Context, offset, limit int) (int, []scimUser, error) {
			return h.usersPage(ctx, c, offset, limit)
		})
	case attr == "id":
		return one(h.userOf(ctx, c, value))
	case attr == "externalid":
		return one(h.userByExternalID(ctx, c, value))
	default:
		return one(h.userByEmail(ctx, c, value))
	}
}

func (h *Handler) userByExternalID(ctx context.Context, c *call, ext string) (scimUser, error) {
	id, err := h.Identities.Get(ctx, c.tenant.ID, c.conn.ID, model.SCIMIssuer, extPrefix+ext)
	if errors.Is(err, model.ErrNotFound) {
		return scimUser{}, notFound("User")
	} else if err != nil {
		return scimUser{}, fmt.Errorf("look up identity: %w", err)
	}
	return h.userOf(ctx, c, id.MemberID)
}

func (h *Handler) userByEmail(ctx context.Context, c *call, email string) (scimUser, error) {
	m, err := h.Members.GetByEmail(ctx, c.tenant.ID, email)
	if errors.Is(err, model.ErrNotFound) {
		return scimUser{}, notFound("User")
	} else if err != nil {
		return scimUser{}, fmt.Errorf("look up member: %w", err)
	}
	return h.userOf(ctx, c, m.ID)
}
