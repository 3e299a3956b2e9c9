package scim

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/guildgate/guildgate/internal/auditlog"
	"github.com/guildgate/guildgate/internal/ids"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
	filter "github.com/scim2/filter-parser/v2"
)

func (h *Handler) groupOf(ctx context.Context, c *call, id string) (model.SCIMGroup, error) {
	g, err := h.SCIM.GetGroup(ctx, c.tenant.ID, c.conn.ID, id)
	if errors.Is(err, model.ErrNotFound) {
		return g, notFound("Group " + id)
	} else if err != nil {
		return g, fmt.Errorf("get scim group: %w", err)
	}
	return g, nil
}

// stateOfGroup reads g's members into its state.
func (h *Handler) stateOfGroup(ctx context.Context, c *call, g model.SCIMGroup) (group, error) {
	members, err := h.SCIM.GroupMembers(ctx, c.tenant.ID, g.ID)
	if err != nil {
		return group{}, fmt.Errorf("members of scim group: %w", err)
	}
	st := group{DisplayName: g.DisplayName, ExternalID: g.ExternalID, Members: map[string]bool{}}
	st.add(members)
	return st, nil
}

// groupAndState finds the connection's group id with its members.
func (h *Handler) groupAndState(ctx context.Context, c *call, id string) (model.SCIMGroup, group, error) {
	g, err := h.groupOf(ctx, c, id)
	if err != nil {
		return g, group{}, err
	}
	st, err := h.stateOfGroup(ctx, c, g)
	return g, st, err
}

func (h *Handler) groupResource(c *call, g model.SCIMGroup, st group) map[string]any {
	members := make([]map[string]string, 0, len(st.Members))
	for _, id := range sortedKeys(st.Members) {
		members = append(members, map[string]string{"value": id, "$ref": c.base + "Users/" + id})
	}
	res := map[string]any{"schemas": []string{groupSchema}, "id": g.ID, "displayName": g.DisplayName,
		"members": members, "meta": meta("Group", c.base+"Groups/"+g.ID, g.CreatedAt, g.UpdatedAt)}
	if g.ExternalID != "" {
		res["externalId"] = g.ExternalID
	}
	return res
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func (h *Handler) writeGroup(w http.ResponseWriter, r *http.Request, c *call, status int, g model.SCIMGroup, st group) error {
	return writeResource(w, r, status, c.base+"Groups/"+g.ID, h.groupResource(c, g, st))
}

func (h *Handler) getGroup(w http.ResponseWriter, r *http.Request, c *call) error {
	g, st, err := h.groupAndState(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.writeGroup(w, r, c, http.StatusOK, g, st)
}

func (h *Handler) createGroup(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	st, err := readBody(r, parseGroup)
	if err != nil {
		return err
	}
	if err := h.checkMembers(ctx, c, st.Members, nil); err != nil {
		return err
	}
	now := h.now()
	g := model.SCIMGroup{TenantID: c.tenant.ID, ConnectionID: c.conn.ID, ID: ids.NewUUID(),
		DisplayName: strings.TrimSpace(st.DisplayName), ExternalID: st.ExternalID, CreatedAt: now, UpdatedAt: now}
	if err := h.SCIM.CreateGroup(ctx, g); errors.Is(err, model.ErrConflict) {
		return fail(http.StatusConflict, uniqueness, "a group named "+g.DisplayName+" exists")
	} else if err != nil {
		return fmt.Errorf("create scim group: %w", err)
	}
	if err := h.audit(ctx, c, "scim.group.create", g); err != nil {
		return err
	}
	empty := group{Members: map[string]bool{}}
	if err := h.saveMembers(ctx, c, g, empty, st); err != nil {
		return err
	}
	return h.writeGroup(w, r, c, http.StatusCreated, g, st)
}

// checkMembers refuses any member id that is not a user of the
// connection (a member of the tenant who is not the connection's is as
// unknown as one who does not exist); ids in known are not looked up.
func (h *Handler) checkMembers(ctx context.Context, c *call, members, known map[string]bool) error {
	for id := range members {
		if known[id] {
			continue
		}
		if _, err := h.userOf(ctx, c, id); absent(err) {
			return badRequest(invalidValue, "no user with id %q: provision it before adding it to a group", id)
		} else if err != nil {
			return err
		}
	}
	return nil
}

func (h *Handler) replaceGroup(w http.ResponseWriter, r *http.Request, c *call) error {
	st, err := readBody(r, parseGroup)
	if err != nil {
		return err
	}
	g, err := h.change(r.Context(), c, r.PathValue("id"), func(old group) (group, error) {
		st.renamed = st.DisplayName != old.DisplayName
		return st, nil
	})
	if err != nil {
		return err
	}
	return h.writeGroup(w, r, c, http.StatusOK, g, st)
}

// patchGroup answers 204, which RFC 7644 §3.5.2 allows and Okta and
// Entra ID expect: a group of thousands is not sent back for each change.
func (h *Handler) patchGroup(w http.ResponseWriter, r *http.Request, c *call) error {
	ops, err := readBody(r, parsePatch)
	if err != nil {
		return err
	}
	_, err = h.change(r.Context(), c, r.PathValue("id"), func(st group) (group, error) {
		st.Members = maps.Clone(st.Members)
		err := st.patch(ops)
		return st, err
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// change applies fn to the group's state and writes what differs: its
// name and externalId, then its members, each member's local groups
// following through the group map.
func (h *Handler) change(ctx context.Context, c *call, id string, fn func(group) (group, error)) (model.SCIMGroup, error) {
	g, old, err := h.groupAndState(ctx, c, id)
	if err != nil {
		return g, err
	}
	st, err := fn(old)
	if err != nil {
		return g, err
	}
	if err := h.checkMembers(ctx, c, st.Members, old.Members); err != nil {
		return g, err
	}
	name := strings.TrimSpace(st.DisplayName)
	if name != g.DisplayName || st.ExternalID != g.ExternalID {
		g, err = h.SCIM.UpdateGroup(ctx, c.tenant.ID, c.conn.ID, g.ID, func(g model.SCIMGroup) (model.SCIMGroup, error) {
			g.DisplayName, g.ExternalID, g.UpdatedAt = name, st.ExternalID, h.now()
			return g, nil
		})
		if errors.Is(err, model.ErrConflict) {
			return g, fail(http.StatusConflict, uniqueness, "a group named "+name+" exists")
		} else if err != nil {
			return g, fmt.Errorf("update scim group: %w", err)
		}
		if err := h.audit(ctx, c, "scim.group.update", g); err != nil {
			return g, err
		}
	}
	return g, h.saveMembers(ctx, c, g, old, st)
}

// saveMembers writes the membership changes from old to st and brings the
// local groups of every member concerned (all of them, when the group was
// renamed: its mapping may differ) in line.
func (h *Handler) saveMembers(ctx context.Context, c *call, g model.SCIMGroup, old, st group) error {
	var touched []string
	for id := range st.Members {
		if !old.Members[id] {
			if err := h.SCIM.AddGroupMember(ctx, c.tenant.ID, g.ID, id); err != nil {
				return fmt.Errorf("add scim group member: %w", err)
			}
			touched = append(touched, id)
		} else if st.renamed {
			touched = append(touched, id)
		}
	}
	for id := range old.Members {
		if !st.Members[id] {
			if err := h.SCIM.RemoveGroupMember(ctx, c.tenant.ID, g.ID, id); err != nil {
				return fmt.Errorf("remove scim group member: %w", err)
			}
			touched = append(touched, id)
		}
	}
	slices.Sort(touched)
	for _, id := range touched {
		if err := h.syncMember(ctx, c, id); err != nil {
			return err
		}
	}
	return nil
}

// syncMember puts the member in the local groups that the connection's
// group map gives the directory's groups they are in, and takes them out
// of the mapped groups they are no longer in: the rule a sign-in's groups
// claim follows (linking.SyncGroups).
func (h *Handler) syncMember(ctx context.Context, c *call, memberID string) error {
	m, err := h.Members.Get(ctx, c.tenant.ID, memberID)
	if errors.Is(err, model.ErrNotFound) {
		return nil
	} else if err != nil {
		return fmt.Errorf("get member: %w", err)
	}
	gs, err := h.SCIM.GroupsOfMember(ctx, c.tenant.ID, c.conn.ID, memberID)
	if err != nil {
		return fmt.Errorf("groups of member: %w", err)
	}
	names := make([]string, len(gs))
	for i, g := range gs {
		names[i] = g.DisplayName
	}
	return h.Linking.SyncGroups(ctx, c.tenant.ID, c.conn, m, names)
}

func (h *Handler) deleteGroup(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	g, st, err := h.groupAndState(ctx, c, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := h.SCIM.DeleteGroup(ctx, c.tenant.ID, c.conn.ID, g.ID); err != nil && !errors.Is(err, model.ErrNotFound) {
		return fmt.Errorf("delete scim group: %w", err)
	}
	for _, id := range sortedKeys(st.Members) {
		if err := h.syncMember(ctx, c, id); err != nil {
			return err
		}
	}
	if err := h.audit(ctx, c, "scim.group.delete", g); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) audit(ctx context.Context, c *call, action string, g model.SCIMGroup) error {
	return auditlog.Record(ctx, h.Audit, model.AuditEvent{TenantID: c.tenant.ID, At: h.now(), Actor: c.actor(),
		Action: action, Target: "scim_group:" + g.ID,
		Detail: map[string]string{"connection": c.conn.ID, "display_name": g.DisplayName}})
}

// listGroups answers GET /Groups, filtered (Entra ID asks displayName eq
// before it creates) and paged.
func (h *Handler) listGroups(w http.ResponseWriter, r *http.Request, c *call) error {
	return list(w, r, listing[model.SCIMGroup]{attrs: groupFilterAttrs,
		page: func(ctx context.Context, offset, limit int) (int, []model.SCIMGroup, error) {
			return h.groupsPage(ctx, c, store.SCIMGroupQuery{}, offset, limit)
		},
		candidates: func(ctx context.Context, e filter.Expression) ([]model.SCIMGroup, error) {
			return h.groupsByHint(ctx, c, e)
		},
		record: func(ctx context.Context, g model.SCIMGroup) (record, error) {
			st, err := h.stateOfGroup(ctx, c, g)
			return groupRecord(g, st), err
		},
		resource: func(ctx context.Context, g model.SCIMGroup, proj projection) (map[string]any, error) {
			st := group{Members: map[string]bool{}}
			if !proj.without["members"] && (len(proj.only) == 0 || proj.only["members"]) {
				var err error
				if st, err = h.stateOfGroup(ctx, c, g); err != nil {
					return nil, err
				}
			}
			return h.groupResource(c, g, st), nil
		},
	})
}

// groupsPage reads one page of the connection's groups that q selects.
func (h *Handler) groupsPage(ctx context.Context, c *call, q store.SCIMGroupQuery, offset, limit int) (int, []model.SCIMGroup, error) {
	q.Offset, q.Limit = offset, max(limit, 1)
	page, total, err := h.SCIM.ListGroups(ctx, c.tenant.ID, c.conn.ID, q)
	if err != nil {
		return 0, nil, fmt.Errorf("list scim groups: %w", err)
	}
	if limit == 0 {
		page = nil
	}
	return total, page, nil
}

// groupsByHint returns the candidates a filter can match: the one group an
// equality on id names, the ones an equality on displayName or externalId
// selects, else every group.
func (h *Handler) groupsByHint(ctx context.Context, c *call, e filter.Expression) ([]model.SCIMGroup, error) {
	attr, value, ok := hint(e, groupFilterAttrs, "id", "displayname", "externalid")
	if ok && attr == "id" {
		return one(h.groupOf(ctx, c, value))
	}
	var q store.SCIMGroupQuery
	if ok && attr == "displayname" {
		q.DisplayName = value
	} else if ok {
		q.ExternalID = value
	}
	return scan(ctx, "groups", "displayName, externalId or id", func(ctx context.Context, offset, limit int) (int, []model.SCIMGroup, error) {
		return h.groupsPage(ctx, c, q, offset, limit)
	})
}

func groupRecord(g model.SCIMGroup, st group) record {
	members := make([]record, 0, len(st.Members))
	for _, id := range sortedKeys(st.Members) {
		members = append(members, record{values: map[string]string{"value": id}})
	}
	return record{values: map[string]string{"id": g.ID, "externalid": g.ExternalID, "displayname": g.DisplayName},
		multi: map[string][]record{"members": members}}
}
