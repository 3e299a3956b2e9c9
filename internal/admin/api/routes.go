package api

import (
	"net/http"
	"strings"

	"github.com/guildgate/guildgate/internal/views"
)

// route is one operation. The mux and the OpenAPI document are both built
// from the table below, so what is served and what is documented are one
// list. body and resp are zero values of the request and response types,
// from which the document's schemas are generated.
type route struct {
	method, path string
	summary      string
	query        []param
	body         any // nil: no body; csvBody: text/csv
	resp         any // nil: no content
	status       int // on success
	handle       handlerFunc
}

func (rt route) pattern() string { return rt.method + " " + rt.path }

// param is a documented query parameter.
type param struct {
	name, description string
	typ               string // JSON Schema type
}

// csvBody marks a text/csv request or response body.
type csvBody struct{}

var (
	pageParams = []param{
		{"limit", "page size, 1 to 500 (default 50)", "integer"},
		{"after", "the next cursor of the previous page", "string"},
	}
	auditParams = append([]param{
		{"action", `an action ("member.create"), or a prefix ending in "." ("member.")`, "string"},
		{"actor", `who acted, e.g. "member:<id>", "apikey:<id>", "cli"`, "string"},
		{"target", `what was acted on, e.g. "member:<id>", "client:<id>"`, "string"},
	}, pageParams...)
)

func (h *Handler) routes() []route {
	rs := []route{
		{method: "GET", path: "openapi.json", summary: "This API's OpenAPI 3.1 document", resp: map[string]any{}, handle: h.openAPI},
	}
	rs = append(rs, h.memberRoutes()...)
	rs = append(rs, h.groupRoutes()...)
	rs = append(rs, h.clientRoutes()...)
	rs = append(rs, h.samlAppRoutes()...)
	rs = append(rs, h.connectionRoutes()...)
	rs = append(rs, h.auditRoutes()...)
	rs = append(rs, h.brandingRoutes()...)
	rs = append(rs, h.webhookRoutes()...)
	for i := range rs {
		rs[i].path = strings.TrimSuffix(Prefix, "/") + "/" + rs[i].path
		if rs[i].status == 0 {
			rs[i].status = http.StatusOK
		}
	}
	return rs
}

func (h *Handler) memberRoutes() []route {
	return []route{
		{method: "GET", path: "members", summary: "List members, optionally searching email, name and legacy id",
			query: append([]param{{"q", "search text", "string"}}, pageParams...), resp: memberList{}, handle: h.listMembers},
		{method: "POST", path: "members", summary: "Add a member", body: memberInput{}, resp: views.Member{},
			status: http.StatusCreated, handle: h.createMember},
		{method: "GET", path: "members/export", summary: "Export every member as CSV", resp: csvBody{}, handle: h.exportMembers},
		{method: "POST", path: "members/import", summary: "Create or update members by email from CSV; bad rows are reported, good ones stored",
			query: []param{{"dry_run", "true: report what would happen and store nothing", "boolean"}},
			body:  csvBody{}, resp: importReport{}, handle: h.importMembers},
		{method: "GET", path: "members/{id}", summary: "Get a member with their groups", resp: views.Member{}, handle: h.getMember},
		{method: "PATCH", path: "members/{id}", summary: "Change some of a member's fields", body: memberPatch{}, resp: views.Member{},
			handle: h.updateMember},
		{method: "DELETE", path: "members/{id}", summary: "Delete a member", status: http.StatusNoContent, handle: h.deleteMember},
		{method: "POST", path: "members/{id}/disable", summary: "Disable a member and end their sessions", resp: views.Member{},
			handle: h.disableMember},
		{method: "POST", path: "members/{id}/enable", summary: "Enable a disabled member", resp: views.Member{}, handle: h.enableMember},
		{method: "POST", path: "members/{id}/password-reset", summary: "Make a one-time link, valid 24 hours, with which the member " +
			"sets a new password (ending their sessions); it replaces their unused one and is shown only here",
			resp: views.ResetLink{}, status: http.StatusCreated, handle: h.passwordReset},
		{method: "POST", path: "members/invitations", summary: "Invite a person: they become a member without a password and " +
			"choose one through a single-use link valid 7 days (mailed; shown here only when the site sends no mail). " +
			"Inviting again re-sends", body: invitationInput{}, resp: views.Invitation{}, status: http.StatusCreated, handle: h.invite},
		{method: "GET", path: "members/invitations", summary: "List pending invitations (sent, not yet accepted, withdrawn " +
			"or expired), newest first", query: pageParams, resp: invitationList{}, handle: h.listInvitations},
		{method: "DELETE", path: "members/{id}/invitation", summary: "Withdraw the member's unused invitation",
			status: http.StatusNoContent, handle: h.revokeInvitation},
		{method: "PUT", path: "members/{id}/status", summary: "Set a member's membership status", body: statusInput{},
			resp: views.Member{}, handle: h.setStatus},
		{method: "GET", path: "members/{id}/groups", summary: "List a member's groups", resp: groupList{}, handle: h.memberGroups},
		{method: "PUT", path: "members/{id}/groups/{group_id}", summary: "Put a member in a group", status: http.StatusNoContent,
			handle: h.addToGroup},
		{method: "DELETE", path: "members/{id}/groups/{group_id}", summary: "Take a member out of a group",
			status: http.StatusNoContent, handle: h.removeFromGroup},
	}
}

func (h *Handler) groupRoutes() []route {
	return []route{
		{method: "GET", path: "groups", summary: "List groups", resp: groupList{}, handle: h.listGroups},
		{method: "POST", path: "groups", summary: "Create a group", body: groupInput{}, resp: views.Group{},
			status: http.StatusCreated, handle: h.createGroup},
		{method: "GET", path: "groups/{id}", summary: "Get a group", resp: views.Group{}, handle: h.getGroup},
		{method: "PATCH", path: "groups/{id}", summary: "Rename or re-describe a group", body: groupPatch{}, resp: views.Group{},
			handle: h.updateGroup},
		{method: "DELETE", path: "groups/{id}", summary: "Delete a group; the response names the clients that were restricted to it",
			resp: groupDeleted{}, handle: h.deleteGroup},
		{method: "GET", path: "groups/{id}/members", summary: "List a group's members", query: pageParams, resp: memberList{},
			handle: h.groupMembers},
	}
}

func (h *Handler) clientRoutes() []route {
	return []route{
		{method: "GET", path: "clients", summary: "List SSO clients with their secrets", resp: clientList{}, handle: h.listClients},
		{method: "POST", path: "clients", summary: "Register an SSO client; its id and secret are generated", body: clientInput{},
			resp: views.Client{}, status: http.StatusCreated, handle: h.createClient},
		{method: "GET", path: "clients/{id}", summary: "Get an SSO client", resp: views.Client{}, handle: h.getClient},
		{method: "PATCH", path: "clients/{id}", summary: "Change some of a client's settings", body: clientPatch{},
			resp: views.Client{}, handle: h.updateClient},
		{method: "DELETE", path: "clients/{id}", summary: "Delete an SSO client", status: http.StatusNoContent, handle: h.deleteClient},
		{method: "POST", path: "clients/{id}/rotate-secret", summary: "Give a client a new secret; the old one works during the overlap",
			body: rotateInput{}, resp: views.Client{}, handle: h.rotateSecret},
	}
}

func (h *Handler) auditRoutes() []route {
	return []route{
		{method: "GET", path: "audit", summary: "List audit events, newest first", query: auditParams, resp: auditList{},
			handle: h.listAudit},
		{method: "GET", path: "keys", summary: "List signing keys (public metadata)", resp: keyList{}, handle: h.listKeys},
		{method: "POST", path: "keys/rotate", summary: "Retire the current signing keys and promote the next ones",
			resp: keyList{}, handle: h.rotateKeys},
	}
}
