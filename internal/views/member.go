package views

import (
	"time"

	"github.com/guildgate/guildgate/internal/model"
)

// Member is a member of the directory, never with its password hash: only
// whether one is set. Groups is present when the caller looked them up (a
// single member; the CLI's lists) and left out of the admin API's lists,
// where it would cost a query a member; [] means "in no group".
type Member struct {
	ID            string `json:"id"`
	Email         string `json:"email"`
	EmailVerified bool   `json:"email_verified"`
	Name          string `json:"name"`
	GivenName     string `json:"given_name"`
	FamilyName    string `json:"family_name"`
	LegacyID      string `json:"legacy_id"`
	Status        string `json:"status"`
	Disabled      bool   `json:"disabled"`
	Admin         bool   `json:"admin"`
	HasPassword   bool   `json:"has_password"`
	// Language is the member's remembered language: their mail's, and the
	// locale claim; "" when none is known (mail then uses the site's).
	Language  string     `json:"language"`
	Groups    []GroupRef `json:"groups,omitzero"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// GroupRef names a group a member belongs to.
type GroupRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// MemberOf is the view of m without its groups.
func MemberOf(m model.Member) Member {
	return Member{ID: m.ID, Email: m.Email, EmailVerified: m.EmailVerified, Name: m.Name,
		GivenName: m.GivenName, FamilyName: m.FamilyName, LegacyID: m.LegacyID, Status: string(m.Status),
		Disabled: m.Disabled, Admin: m.Admin, HasPassword: m.PasswordHash != "", Language: m.Language, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
}

// MemberWithGroups is the view of m in groups gs.
func MemberWithGroups(m model.Member, gs []model.Group) Member {
	v := MemberOf(m)
	v.Groups = make([]GroupRef, len(gs))
	for i, g := range gs {
		v.Groups[i] = GroupRef{ID: g.ID, Name: g.Name}
	}
	return v
}

// Group is a group of members.
type Group struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// GroupOf is the view of g.
func GroupOf(g model.Group) Group {
	return Group{ID: g.ID, Name: g.Name, Description: g.Description, CreatedAt: g.CreatedAt, UpdatedAt: g.UpdatedAt}
}
