package console

import (
	"net/url"

	"github.com/guildgate/guildgate/internal/model"
)

// access is the "Who may sign in" part of the SSO client and SAML app
// forms (one partial, "access", in layout.html): every member, or only
// members of the permitted groups, chosen by name.
type access struct {
	Groups                   []string // the chosen groups' names
	AllGroups                []model.Group
	AllMembers, AdmitsNobody bool // "Every member" chosen; every permitted group deleted
	GroupRows                int  // visible rows of the groups multi-select
}

// readAccess reads the posted choice. Only access=all opens the app to
// every member, so a form that selects no group (because the app's groups
// were deleted, say) never opens it by accident.
func readAccess(f url.Values) access {
	return access{Groups: f["groups"], AllMembers: f.Get("access") == "all"}
}

// offer sets the groups to choose from.
func (a *access) offer(gs []model.Group) {
	a.AllGroups = gs
	a.GroupRows = min(max(len(gs), 2), 6) // a one-row multi-select reads as a drop-down
}

// groupsPatch is the chosen groups as a patch sets them: none chosen
// clears the list rather than leaving it as it was.
func (a access) groupsPatch() *[]string {
	groups := a.Groups
	if groups == nil {
		groups = []string{}
	}
	return &groups
}
