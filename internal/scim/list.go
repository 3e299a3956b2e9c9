package scim

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	filter "github.com/scim2/filter-parser/v2"
)

// maxScan bounds how many of a connection's users or groups a filter
// without an indexed equality (userName, externalId, id) may read.
const maxScan = 10000

// listUsers answers GET /Users, filtered (Okta and Entra ID ask with
// userName eq and externalId eq before they create) and paged.
func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request, c *call) error {
	p, err := pagingOf(r)
	if err != nil {
		return err
	}
	proj, err := projectionOf(r)
	if err != nil {
		return err
	}
	var total int
	var page []scimUser
	if raw := r.URL.Query().Get("filter"); raw != "" {
		e, err := parseFilter(raw, userFilterAttrs)
		if err != nil {
			return err
		}
		all, err := h.usersByHint(r.Context(), c, e)
		if err != nil {
			return err
		}
		var matched []scimUser
		for _, u := range all {
			if userFilterAttrs.match(e, userRecord(u)) {
				matched = append(matched, u)
			}
		}
		total, page = len(matched), window(matched, p)
	} else if total, page, err = h.usersPage(r.Context(), c, p.start-1, p.count); err != nil {
		return err
	}
	items := make([]map[string]any, 0, len(page))
	for _, u := range page {
		res, err := h.userResource(r.Context(), c, u)
		if err != nil {
			return err
		}
		items = append(items, proj.apply(res))
	}
	writeJSON(w, http.StatusOK, listResponse(total, p, items))
	return nil
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
	attr, value, ok := hint(e, userFilterAttrs, "id", "username", "externalid")
	if !ok {
		total, all, err := h.usersPage(ctx, c, 0, store.MaxLimit)
		for len(all) < total && err == nil {
			if total > maxScan {
				return nil, badRequest(tooMany, "this filter would read all %d users; filter by userName, externalId or id", total)
			}
			var more []scimUser
			_, more, err = h.usersPage(ctx, c, len(all), store.MaxLimit)
			if len(more) == 0 {
				break
			}
			all = append(all, more...)
		}
		return all, err
	}
	var u scimUser
	var err error
	switch attr {
	case "id":
		u, err = h.userOf(ctx, c, value)
	case "externalid":
		u, err = h.userByExternalID(ctx, c, value)
	default:
		u, err = h.userByEmail(ctx, c, value)
	}
	if absent(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return []scimUser{u}, nil
}

// absent reports whether err is a 404 from a lookup.
func absent(err error) bool {
	e, ok := errors.AsType[*httpx.Error](err)
	return ok && e.Status == http.StatusNotFound
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
